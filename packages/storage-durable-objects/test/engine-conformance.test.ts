import { engineConformanceSuite } from '@cairn/core/testing';
import { inObjectHarness, rpcHarness } from './harnesses.ts';

// The engine's crash-and-resume scenarios over the Durable Object store, in workerd.
engineConformanceSuite(rpcHarness);
engineConformanceSuite(inObjectHarness);
