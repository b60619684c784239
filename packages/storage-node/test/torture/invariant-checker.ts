/**
 * Counting checks and collecting violations: every invariant the torture verifies goes through
 * `check`, so the report can say how many were evaluated, not only how many failed.
 */

/** Violations kept verbatim; past this only the count grows. */
const MAX_LISTED = 50;

/** A check counter with its violations. */
export interface InvariantChecker {
  check(ok: boolean, violation: () => string): boolean;
  readonly checks: number;
  readonly violations: string[];
  readonly violationCount: number;
}

/** A fresh checker. */
export function createInvariantChecker(): InvariantChecker {
  let checks = 0;
  let violationCount = 0;
  const violations: string[] = [];
  return {
    check(ok, violation) {
      checks++;
      if (!ok) {
        violationCount++;
        if (violations.length < MAX_LISTED) violations.push(violation());
      }
      return ok;
    },
    get checks() {
      return checks;
    },
    get violations() {
      return violations;
    },
    get violationCount() {
      return violationCount;
    },
  };
}
