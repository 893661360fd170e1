// Batch norm on the tape, PyTorch semantics: training normalises with batch statistics and
// updates the running buffers in place (momentum, unbiased variance); evaluation uses them.

extension Tape {
    /// Batch norm over (N, H, W) per channel of x (N, C, H, W) or over N of x (N, C).
    /// weight/bias nil means affine = false.
    public func batchNorm(_ x: Var, runningMean: Parameter, runningVar: Parameter, weight: Var?, bias: Var?,
                          training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Var {
        let vx = value(x)
        precondition(vx.rank == 2 || vx.rank == 4, "batchNorm needs (N, C) or (N, C, H, W), got \(vx.shape)")
        let c = vx.shape[1]
        let g = BatchNormGeometry(n: vx.shape[0], c: c, s: vx.rank == 4 ? vx.shape[2] * vx.shape[3] : 1)
        precondition(runningMean.value.count == c && runningVar.value.count == c,
                     "batchNorm: running statistics of \(runningMean.name) do not have \(c) channels")
        let vg = weight.map { value($0) }, vb = bias.map { value($0) }
        if let vg { precondition(vg.count == c, "batchNorm: weight \(vg.shape) for \(c) channels") }
        if let vb { precondition(vb.count == c, "batchNorm: bias \(vb.shape) for \(c) channels") }
        var mean = Tensor(shape: [c]), invStd = Tensor(shape: [c])
        var out = Tensor.build(vx.shape) { _ in }  // overwritten by the kernels below
        if training {
            precondition(g.perChannel > 1, "batchNorm in training mode needs more than one value per channel")
            var unbiased = Tensor(shape: [c])
            vx.withUnsafeBufferPointer { px in withOptionalPointer(vg) { pg in withOptionalPointer(vb) { pb in
                out.withUnsafeMutableBufferPointer { py in mean.withUnsafeMutableBufferPointer { pm in
                    invStd.withUnsafeMutableBufferPointer { pi in unbiased.withUnsafeMutableBufferPointer { pu in
                        batchNormForwardTraining(g, x: px.baseAddress!, gamma: pg, beta: pb, eps: eps,
                                                 y: py.baseAddress!, mean: pm.baseAddress!,
                                                 invStd: pi.baseAddress!, unbiasedVar: pu.baseAddress!)
                    } }
                } }
            } } }
            let keep = 1 - momentum
            mean.withUnsafeBufferPointer { pm in runningMean.value.withUnsafeMutableBufferPointer { r in
                for i in 0..<c { r[i] = keep * r[i] + momentum * pm[i] }
            } }
            unbiased.withUnsafeBufferPointer { pu in runningVar.value.withUnsafeMutableBufferPointer { r in
                for i in 0..<c { r[i] = keep * r[i] + momentum * pu[i] }
            } }
        } else {
            mean = runningMean.value.reshaped([c])
            invStd = runningVar.value.reshaped([c]).map { 1 / ($0 + eps).squareRoot() }
            vx.withUnsafeBufferPointer { px in withOptionalPointer(vg) { pg in withOptionalPointer(vb) { pb in
                out.withUnsafeMutableBufferPointer { py in mean.withUnsafeBufferPointer { pm in
                    invStd.withUnsafeBufferPointer { pi in
                        batchNormForwardAffine(g, x: px.baseAddress!, gamma: pg, beta: pb,
                                               mean: pm.baseAddress!, invStd: pi.baseAddress!, y: py.baseAddress!)
                    }
                } }
            } } }
        }
        let nx = needs[x.id]
        let ng = weight.map { needs[$0.id] } ?? false
        let nb = bias.map { needs[$0.id] } ?? false
        let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return record(out, inputs: inputs) { [mean, invStd] in
            { dy, s in
                var dx = nx ? Tensor.build(vx.shape) { _ in } : nil  // overwritten by the kernel
                var dGamma = ng ? Tensor(shape: [c]) : nil
                var dBeta = nb ? Tensor(shape: [c]) : nil
                vx.withUnsafeBufferPointer { px in dy.withUnsafeBufferPointer { pdy in
                    withOptionalPointer(vg) { pg in mean.withUnsafeBufferPointer { pm in invStd.withUnsafeBufferPointer { pi in
                        withOptionalPointer(&dx) { pdx in withOptionalPointer(&dGamma) { pdg in withOptionalPointer(&dBeta) { pdb in
                            batchNormBackward(g, training: training, x: px.baseAddress!, dy: pdy.baseAddress!,
                                              gamma: pg, mean: pm.baseAddress!, invStd: pi.baseAddress!,
                                              dx: pdx, dGamma: pdg, dBeta: pdb)
                        } } }
                    } } }
                } }
                if let dx { s.add(x, dx) }
                if let dGamma, let weight { s.add(weight, dGamma.reshaped(vg?.shape ?? [c])) }
                if let dBeta, let bias { s.add(bias, dBeta.reshaped(vb?.shape ?? [c])) }
            }
        }
    }
}
