// Every kernel's self-checks, in the order the self-test table lists them.

import type { KernelCheck } from '../selfcheck.ts';
import { elementwiseChecks } from './elementwise.ts';

export const ALL_CHECKS: KernelCheck[] = [...elementwiseChecks];
