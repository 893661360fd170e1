// The fields that search and evaluation configurations share, as protocols: one option group
// (data, network, batch, weight optimiser, storage) sets them on either configuration.

import ImageData
import Search
import Evaluation

protocol ImageDataSettings {
    var dataset: DatasetKind { get set }
    var dataDirectory: String? { get set }
    var subset: Int? { get set }
    var augment: Bool { get set }
}

protocol NetworkSizeSettings {
    var initChannels: Int { get set }
    var layers: Int { get set }
}

protocol BatchSettings {
    var batchSize: Int { get set }
}

protocol WeightOptimizerSettings {
    var learningRate: Double { get set }
    var learningRateMin: Double { get set }
    var momentum: Double { get set }
    var weightDecay: Double { get set }
    var gradientClip: Double { get set }
}

protocol StorageSettings {
    var keepLast: Int { get set }
    var keepEvery: Int { get set }
}

extension SearchConfiguration: ImageDataSettings, NetworkSizeSettings, BatchSettings, WeightOptimizerSettings, StorageSettings {}
extension EvaluationRunConfiguration: ImageDataSettings, NetworkSizeSettings, BatchSettings, WeightOptimizerSettings, StorageSettings {}
