/** A tool that needs a human's approval (declared with a raw JSON Schema), for tests that pause a run. */
import { tool } from '@cairn/core';

export const refundTool = () =>
  tool({
    name: 'refund',
    description: 'Refund',
    input: { type: 'object', properties: { cents: { type: 'integer' } }, required: ['cents'] },
    needsApproval: true,
    execute: () => 'refunded',
  });
