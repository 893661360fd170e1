// The JSON form of small Codable states in checkpoints and run.json: sorted keys (stable bytes,
// hence stable digests) and non-finite doubles as strings. Swift prints doubles as their
// shortest round-trip text, so every value reads back to the same bits.

import Foundation

public enum StateJSON {
    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()
    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes `text`; `key` names the entry in the error.
    public static func decode<T: Decodable>(_ type: T.Type, _ text: String, key: String) throws -> T {
        do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
            throw TrainingError.incompatibleCheckpoint("checkpoint entry \(key) cannot be decoded: \(error)")
        }
    }
}
