import { storeConformanceSuite } from '@cairn/core/testing';
import { inObjectHarness, rpcHarness } from './harnesses.ts';

storeConformanceSuite(rpcHarness);
storeConformanceSuite(inObjectHarness);
