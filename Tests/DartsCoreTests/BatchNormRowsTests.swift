// The (N, C) batch-norm kernels walk rows instead of channel columns; they must give the plane
// kernels' bits exactly (forward: output, mean, invStd, unbiased var; backward: dx, dγ, dβ, in
// training and evaluation mode), with γ/β and without, for widths that split across workers.
@testable import DartsCore
import Testing

@Test(arguments: [(7, 5), (33, 300), (256, 64)])
func batchNormRowsEqualThePlaneKernels(shape: (Int, Int)) {
    let (n, c) = shape
    let g = BatchNormGeometry(n: n, c: c, s: 1)
    let x = randomTensor([n, c], seed: 101).map { $0 * 3 + 0.5 }
    let dy = randomTensor([n, c], seed: 102)
    let gamma = randomTensor([c], seed: 103), beta = randomTensor([c], seed: 104)
    for affine in [false, true] {
        func forward(_ kernel: (BatchNormGeometry, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafePointer<Float>?, Float,
                                UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                UnsafeMutablePointer<Float>) -> Void) -> [[Float]] {
            var y = [Float](repeating: 0, count: n * c), mean = [Float](repeating: 0, count: c)
            var inv = [Float](repeating: 0, count: c), unbiased = [Float](repeating: 0, count: c)
            x.withUnsafeBufferPointer { px in gamma.withUnsafeBufferPointer { pg in beta.withUnsafeBufferPointer { pb in
                kernel(g, px.baseAddress!, affine ? pg.baseAddress! : nil, affine ? pb.baseAddress! : nil, 1e-5,
                       &y, &mean, &inv, &unbiased)
            } } }
            return [y, mean, inv, unbiased]
        }
        let rows = forward { batchNormRowsForwardTraining($0, x: $1, gamma: $2, beta: $3, eps: $4, y: $5, mean: $6, invStd: $7, unbiasedVar: $8) }
        let planes = forward { batchNormPlanesForwardTraining($0, x: $1, gamma: $2, beta: $3, eps: $4, y: $5, mean: $6, invStd: $7, unbiasedVar: $8) }
        #expect(rows == planes, "forward, affine \(affine)")
        #expect(rows[0].contains { $0 != 0 })
        for training in [true, false] {
            func backward(rowsKernel: Bool) -> [[Float]] {
                var dx = [Float](repeating: 0, count: n * c), dg = [Float](repeating: 0, count: c), db = [Float](repeating: 0, count: c)
                x.withUnsafeBufferPointer { px in dy.withUnsafeBufferPointer { pd in gamma.withUnsafeBufferPointer { pg in
                    rows[1].withUnsafeBufferPointer { pm in rows[2].withUnsafeBufferPointer { pi in
                        let gp = affine ? pg.baseAddress! : nil
                        if rowsKernel {
                            batchNormRowsBackward(g, training: training, x: px.baseAddress!, dy: pd.baseAddress!, gamma: gp,
                                                  mean: pm.baseAddress!, invStd: pi.baseAddress!, dx: &dx, dGamma: &dg, dBeta: &db)
                        } else {
                            batchNormPlanesBackward(g, training: training, x: px.baseAddress!, dy: pd.baseAddress!, gamma: gp,
                                                    mean: pm.baseAddress!, invStd: pi.baseAddress!, dx: &dx, dGamma: &dg, dBeta: &db)
                        }
                    } }
                } } }
                return [dx, dg, db]
            }
            let (r, p) = (backward(rowsKernel: true), backward(rowsKernel: false))
            #expect(r == p, "backward, affine \(affine), training \(training)")
            #expect(r[0].contains { $0 != 0 })
        }
    }
}
