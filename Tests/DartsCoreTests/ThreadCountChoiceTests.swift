// Where the worker count comes from: DARTSPRIME_THREADS first, then Slurm's SLURM_CPUS_PER_TASK
// (capped by the affinity mask), then the mask; read from a given environment so the test
// process's own is never changed.
@testable import DartsCore
import Testing

@Suite struct ThreadCountChoiceTests {
    func choice(_ environment: [String: String], allowed: Int) -> Int {
        DartsCore.defaultThreadCount(environment: { environment[$0] }, allowedCPUs: { allowed })
    }

    @Test func theMaskWithoutEitherVariable() {
        #expect(choice([:], allowed: 8) == 8)
        #expect(choice([:], allowed: 0) == 1)
    }

    @Test func slurmCPUsPerTaskWithinTheMask() {
        #expect(choice(["SLURM_CPUS_PER_TASK": "3"], allowed: 8) == 3)
        #expect(choice(["SLURM_CPUS_PER_TASK": "1"], allowed: 8) == 1)
        // More than the process may run on: the mask caps it.
        #expect(choice(["SLURM_CPUS_PER_TASK": "16"], allowed: 8) == 8)
        // A value the command line refuses (CommandExit) never reaches the pool as a count.
        #expect(choice(["SLURM_CPUS_PER_TASK": "0"], allowed: 8) == 8)
        #expect(choice(["SLURM_CPUS_PER_TASK": "x"], allowed: 8) == 8)
    }

    @Test func dartsprimeThreadsWinsOverSlurm() {
        #expect(choice(["DARTSPRIME_THREADS": "5", "SLURM_CPUS_PER_TASK": "2"], allowed: 8) == 5)
        // DARTSPRIME_THREADS is an explicit override: not capped by the mask.
        #expect(choice(["DARTSPRIME_THREADS": "12"], allowed: 8) == 12)
    }
}
