// The probe lives with the bench that also reports it (apps/cli/src/commands/bench-bounded-reads.ts).
export { HealthProbe } from '../../apps/cli/src/support/health-probe';
