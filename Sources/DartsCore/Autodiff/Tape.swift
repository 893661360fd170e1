// Reverse-mode automatic differentiation on a tape (a Wengert list of nodes).
//
// Each op appends its forward value and, when any input needs a gradient, a closure that
// turns the output gradient into input gradients (micrograd's `_backward`, next to its forward
// in the Tape+*.swift files). Gradient requirement propagates forward, so a node that cannot
// reach a grad-requiring leaf records no closure and costs nothing in `backward()`: an α-only
// step never computes conv weight gradients, and a weights-only step never computes α ones.

/// Handle to a node of a `Tape`.
public struct Var: Hashable, Sendable {
    public let id: Int
    public init(id: Int) { self.id = id }
}

/// Turns the gradient of a node's output into gradients of its inputs (accumulated in `grads`).
typealias BackwardFn = (_ outGrad: Tensor, _ grads: GradStore) -> Void

/// A recording of one forward pass; `backward` differentiates it once and empties it.
public final class Tape {
    /// False: forward-only evaluation, no closures kept and no gradients possible.
    public let recording: Bool
    var values: [Tensor] = []
    var needs: [Bool] = []
    var backwards: [BackwardFn?] = []
    var leaves: [(id: Int, param: Parameter)] = []
    /// relu(x) already on the tape, by x's id: the DARTS ops of one edge all start with relu of
    /// the same input, and recording it once saves the copies (memory) and their passes.
    var reluOf: [Int: Var] = [:]
    /// How to recompute a depthwise conv's output from what its own closure keeps anyway, by
    /// node id; a following 1×1 conv keeps this instead of the output (Tape+Conv.swift).
    var recompute: [Int: () -> Tensor] = [:]
    /// Id the next appended node will get.
    var outputIndexOfNextNode: Int { values.count }
    /// Nodes whose value `releaseForwardOnlyValues` freed, and their shapes.
    var released: [Bool] = []
    var shapes: [[Int]] = []
    var releaseScanStart = 0

    public init() { recording = true }
    /// `Tape(recording: false)` evaluates without keeping any backward closures.
    public init(recording: Bool) { self.recording = recording }

    /// Number of nodes currently on the tape.
    public var count: Int { values.count }

    /// A node with no gradient.
    public func constant(_ t: Tensor) -> Var { append(t, needs: false, backward: nil) }

    /// A leaf bound to `p`; if `requiresGrad`, `backward()` ACCUMULATES d loss/d p into p.grad.
    public func parameter(_ p: Parameter, requiresGrad: Bool = true) -> Var {
        let need = recording && requiresGrad
        let v = append(p.value, needs: need, backward: nil)
        if need { leaves.append((v.id, p)) }
        return v
    }

    public func value(_ v: Var) -> Tensor {
        precondition(v.id < values.count, "Var \(v.id) is not on this tape (was backward() already run?)")
        precondition(!released[v.id], "Var \(v.id) was released by releaseForwardOnlyValues(keeping:)")
        return values[v.id]
    }

    public func shape(_ v: Var) -> [Int] { v.id < shapes.count && released[v.id] ? shapes[v.id] : value(v).shape }

    /// Frees the value of every node not in `keep` that no backward closure holds (its tensor is
    /// referenced by the tape alone): such a value only served later forward ops, so after a
    /// block (a cell) whose outputs are `keep` it is dead. Parameters' values are shared with
    /// their Parameter and so stay. Reading a released value traps; its shape stays readable.
    /// Gradients are unchanged: backward closures keep everything they use.
    public func releaseForwardOnlyValues(keeping keep: [Var]) {
        let kept = Set(keep.map(\.id))
        for i in releaseScanStart..<values.count where !released[i] && !kept.contains(i) {
            if values[i].count > 1 && isKnownUniquelyReferenced(&values[i].storage) {
                shapes[i] = values[i].shape
                values[i] = Tape.released
                released[i] = true
            }
        }
        // Survivors before the first kept node are held by closures or parameters until
        // backward(), so later calls can start at the first kept node.
        releaseScanStart = min(values.count, kept.min() ?? values.count)
    }

    /// Whether gradients flow into `v` (it reaches a leaf that requires grad).
    public func requiresGrad(_ v: Var) -> Bool { needs[v.id] }

    /// Reverse pass from a one-element node (seed 1). Accumulates into `Parameter.grad` of every
    /// leaf that requires grad, then frees all closures and values: the tape is empty afterwards.
    public func backward(_ loss: Var) {
        precondition(recording, "backward() on a tape created with recording: false")
        let lossValue = value(loss)
        precondition(lossValue.count == 1, "backward() needs a one-element loss, got shape \(lossValue.shape)")
        let store = GradStore(count: values.count)
        if needs[loss.id] {
            store.grads[loss.id] = Tensor(shape: lossValue.shape, repeating: 1)
        }
        var leafOf = [Int: [Parameter]]()
        for (id, p) in leaves { leafOf[id, default: []].append(p) }
        var i = loss.id
        while i >= 0 {
            if let g = store.grads[i] {
                if let fn = backwards[i] { fn(g, store) }
                if let ps = leafOf[i] {
                    for p in ps { accumulate(g, into: p) }
                }
                store.grads[i] = nil
            }
            // Node i is done: its closure (and the forward tensors only it held) and its value go
            // now, so memory falls during the reverse pass while gradients are being created.
            backwards[i] = nil
            recompute[i] = nil  // its consumers (later nodes) are done
            values[i] = Tape.released
            i -= 1
        }
        reset()
    }

    /// Drops every node (values, closures, leaves); previously returned Vars become invalid.
    public func reset() {
        reluOf.removeAll()
        recompute.removeAll()
        released.removeAll()
        shapes.removeAll()
        releaseScanStart = 0
        values.removeAll()
        needs.removeAll()
        backwards.removeAll()
        leaves.removeAll()
    }

    /// Placeholder left in `values` for nodes the reverse pass has finished with.
    static let released = Tensor(shape: [0])

    // MARK: - Recording helpers for ops

    func append(_ t: Tensor, needs need: Bool, backward: BackwardFn?) -> Var {
        values.append(t)
        released.append(false)
        shapes.append([])
        needs.append(need)
        backwards.append(need ? backward : nil)
        return Var(id: values.count - 1)
    }

    /// Appends an op's output; `makeBackward` is only called when some input needs a gradient.
    func record(_ out: Tensor, inputs: [Var], _ makeBackward: () -> BackwardFn) -> Var {
        let need = recording && inputs.contains { needs[$0.id] }
        return append(out, needs: need, backward: need ? makeBackward() : nil)
    }

    private func accumulate(_ g: Tensor, into p: Parameter) {
        precondition(g.count == p.grad.count,
                     "gradient of \(p.name) has \(g.count) elements, parameter has \(p.grad.count)")
        g.withUnsafeBufferPointer { src in
            p.grad.withUnsafeMutableBufferPointer { dst in
                for j in 0..<dst.count { dst[j] += src[j] }
            }
        }
    }
}

/// Gradients of the nodes during one reverse pass.
final class GradStore {
    var grads: [Tensor?]
    init(count: Int) { grads = [Tensor?](repeating: nil, count: count) }

    /// grads[v] += g (takes `g` itself when v had no gradient yet).
    func add(_ v: Var, _ g: Tensor) {
        if grads[v.id] == nil { grads[v.id] = g; return }
        if !isKnownUniquelyReferenced(&grads[v.id]!.storage) {
            // Still shared with another node's gradient (an add's backward hands dy to both of
            // its inputs): old + g into a new buffer in one pass, not a copy and then an add.
            let old = grads[v.id]!
            precondition(old.count == g.count, "gradient size mismatch at node \(v.id)")
            grads[v.id] = Tensor.build(old.shape) { dst in
                old.withUnsafeBufferPointer { a in g.withUnsafeBufferPointer { b in
                    DartsCore.parallelFor(dst.count, minChunk: elementwiseChunk) { r in
                        sumInto(dst.baseAddress! + r.lowerBound, a.baseAddress! + r.lowerBound, b.baseAddress! + r.lowerBound,
                                r.count)
                    }
                } }
            }
            return
        }
        update(v, from: g) { d, s, _, n, _ in addInto(d, s, n) }
    }

    /// grads[v] += f(g) element-wise without a temporary, in parallel chunks: `body(dst, src,
    /// offset, n, accumulate)` gets chunk pointers (already advanced by `offset`) and writes
    /// dst[i] = f(src[i]) when accumulate is false (new buffer), dst[i] += f(src[i]) otherwise.
    func update(_ v: Var, from g: Tensor,
                _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, Int, Bool) -> Void) {
        g.withUnsafeBufferPointer { src in
            let n = src.count
            if grads[v.id] == nil {
                grads[v.id] = Tensor.build(g.shape) { dst in
                    DartsCore.parallelFor(n, minChunk: elementwiseChunk) { r in
                        body(dst.baseAddress! + r.lowerBound, src.baseAddress! + r.lowerBound, r.lowerBound, r.count, false)
                    }
                }
                return
            }
            grads[v.id]!.withUnsafeMutableBufferPointer { dst in
                precondition(dst.count == n, "gradient size mismatch at node \(v.id)")
                DartsCore.parallelFor(n, minChunk: elementwiseChunk) { r in
                    body(dst.baseAddress! + r.lowerBound, src.baseAddress! + r.lowerBound, r.lowerBound, r.count, true)
                }
            }
        }
    }

    /// Gives `body` the (zero-initialised if new) gradient buffer of v to add into.
    func accumulate(_ v: Var, shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        if grads[v.id] == nil { grads[v.id] = Tensor(shape: shape) }
        grads[v.id]!.withUnsafeMutableBufferPointer { body($0) }
    }
}
