// Installs indexedDB, IDBKeyRange and friends as globals for the happy-dom project.
import 'fake-indexeddb/auto';
