// How the figures and cell graphs name a search space's states, as DARTS's visualize.py does:
// CNN cells read c_{k-2} and c_{k-1}, number their nodes 0–3 and concatenate them into c_{k};
// the recurrent cell computes its state 0 from x_{t} and h_{t-1}, numbers its nodes 1–8 and
// averages them into h_{t}. Derived from the space's shape, so both spaces go through the same
// α figure and DOT code (one input state is the recurrent cell's s0, SPEC §7).

import Architecture

struct CellNotation: Equatable, Sendable {
    /// Names of the cell's input states in α legends (index = genotype input).
    var inputNames: [String]
    /// Node labels of the input states in a cell graph.
    var inputLabels: [String]
    /// Outside values drawn into input state 0 (recurrent: x_{t}, h_{t-1}); none for CNN cells.
    var feeds: [String]
    /// The number the first intermediate node carries in titles and labels (CNN 0, recurrent 1).
    var firstNode: Int
    /// The output node's label.
    var output: String

    init(_ space: SearchSpace) {
        switch space.cellInputs {
        case 1:
            inputNames = ["node 0 (x_{t}, h_{t-1})"]; inputLabels = ["0"]; feeds = ["x_{t}", "h_{t-1}"]
            firstNode = 1; output = "h_{t} = mean(1…\(space.nodes))"
        case 2:
            inputNames = ["c_{k-2}", "c_{k-1}"]; inputLabels = inputNames; feeds = []
            firstNode = 0; output = "c_{k}"
        default:
            inputNames = (0..<space.cellInputs).map { "s\($0)" }; inputLabels = inputNames; feeds = []
            firstNode = 0; output = "output"
        }
    }

    /// The name of genotype input `s`: an input state or an intermediate node.
    func stateName(_ s: Int) -> String {
        s < inputNames.count ? inputNames[s] : "node \(s - inputNames.count + firstNode)"
    }

    /// The label of intermediate node `n` (0-based).
    func nodeName(_ n: Int) -> String { "\(n + firstNode)" }
}
