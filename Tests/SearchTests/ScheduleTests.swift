// α-step schedules: alternate, constant r, and the FIMT threshold on scripted traces.

import Foundation
import Testing
@testable import Search

@Test func alternateAndConstantSchedules() {
    var alt = ArchitectureSchedule(kind: .alternate)
    #expect((0..<5).allSatisfy { alt.shouldStepArchitecture(iterationInEpoch: $0, globalIteration: $0) })
    var cs = ArchitectureSchedule(kind: .constant, r: 10)
    let steps = (0..<25).filter { cs.shouldStepArchitecture(iterationInEpoch: $0, globalIteration: 100 + $0) }
    #expect(steps == [9, 19])
}

@Test func fimtFollowsAScriptedTrace() {
    // τ0 1, γ_inc 1.05, r 10, β 0.2. Traces F = 2, 0.5, 0.1, 0:
    //   t0: no F̄ yet → no step, τ = 1.05;           F̄ = 2
    //   t1: 2 ≥ 1.05 → no step, τ = 1.1025;         F̄ = 0.2·0.5 + 0.8·2 = 1.7
    //   t2: 1.7 ≥ 1.1025 → no, τ = 1.157625;        F̄ = 0.02 + 1.36 = 1.38
    //   t3: no, τ = 1.21550625;                     F̄ = 0 + 1.104 = 1.104
    //   t4: 1.104 < 1.2155 → step, τ = 1.05⁴·1.05⁻¹⁰ = 1.05⁻⁶ = 0.74621540…
    //   t5: 1.104 ≥ 0.7462 → no, τ = 1.05⁻⁵ = 0.78352617…
    var s = ArchitectureSchedule(kind: .fimt)
    let traces = [2.0, 0.5, 0.1, 0.0]
    let taus = [1.05, 1.1025, 1.157625, 1.21550625]
    let fbars = [2.0, 1.7, 1.38, 1.104]
    for t in 0..<4 {
        do {
            let stepped = s.shouldStepArchitecture(iterationInEpoch: t, globalIteration: t)
            #expect(!stepped)
        }
        #expect(abs(s.tau - taus[t]) < 1e-12)
        s.recordFIMT(traces[t])
        #expect(abs(s.fbar - fbars[t]) < 1e-12)
    }
    do {
        let stepped = s.shouldStepArchitecture(iterationInEpoch: 4, globalIteration: 4)
        #expect(stepped)
    }
    #expect(abs(s.tau - 0.7462153966366274) < 1e-12)
    do {
        let stepped = s.shouldStepArchitecture(iterationInEpoch: 5, globalIteration: 5)
        #expect(!stepped)
    }
    #expect(abs(s.tau - 0.7835261664684589) < 1e-12)
    #expect(abs(s.gammaDec - 1 / 1.628894626777442) < 1e-12)
}

@Test func fimtFirstIterationNeverStepsEvenUnderAHugeThreshold() {
    var s = ArchitectureSchedule(kind: .fimt, tau0: 1e9)
    do {
        let stepped = s.shouldStepArchitecture(iterationInEpoch: 0, globalIteration: 0)
        #expect(!stepped)
    }
    s.recordFIMT(1)
    do {
        let stepped = s.shouldStepArchitecture(iterationInEpoch: 1, globalIteration: 1)
        #expect(stepped)
    }
    // F̄ = 0 (no gradient at all) never steps: the condition is 0 < F̄ < τ.
    var z = ArchitectureSchedule(kind: .fimt, tau0: 1e9)
    z.recordFIMT(0)
    do {
        let stepped = z.shouldStepArchitecture(iterationInEpoch: 1, globalIteration: 1)
        #expect(!stepped)
    }
}

@Test func fimtWithConstantTraceSettlesIntoOneAlphaStepPerRPlusOneIterations() {
    for r in [10, 3] {
        var s = ArchitectureSchedule(kind: .fimt, r: r)
        var stepsAt: [Int] = []
        for t in 0..<(200 + 50 * (r + 1)) {
            if s.shouldStepArchitecture(iterationInEpoch: t % 97, globalIteration: t) { stepsAt.append(t) }
            s.recordFIMT(0.37)
        }
        let late = stepsAt.filter { $0 >= 200 }
        #expect(late.count == 50, "r = \(r): \(late.count) α steps in \(50 * (r + 1)) iterations")
        let gaps = zip(late.dropFirst(), late).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 == r + 1 }, "r = \(r): gaps \(Set(gaps))")
    }
}

@Test func scheduleStateSurvivesACheckpoint() throws {
    var a = ArchitectureSchedule(kind: .fimt)
    var trace: [Bool] = []
    func drive(_ s: inout ArchitectureSchedule, _ range: Range<Int>, _ out: inout [Bool]) {
        for t in range {
            out.append(s.shouldStepArchitecture(iterationInEpoch: t, globalIteration: t))
            s.recordFIMT(0.5 + 0.4 * sin(Double(t)))
        }
    }
    drive(&a, 0..<40, &trace)
    var b = try JSONDecoder().decode(ArchitectureSchedule.self, from: JSONEncoder().encode(a))
    #expect(a == b)
    var rest1: [Bool] = [], rest2: [Bool] = []
    drive(&a, 40..<120, &rest1)
    drive(&b, 40..<120, &rest2)
    #expect(rest1 == rest2 && rest1.contains(true))
}
