// The random sequence length of the search's truncated BPTT (SPEC §7: "35 with probability
// 0.95, else 17").
import DartsCore

/// DARTS `rnn/train_search.py`: `bptt = args.bptt if np.random.random() < 0.95 else args.bptt / 2.`,
/// then `seq_len = int(bptt)`. Its evaluation script `train.py` further draws the length from
/// N(bptt, 5) (clamped to [5, bptt + 20]); the search script has those lines commented out, so
/// the search uses the two lengths only.
public enum SequenceLength {
    public static let fullLengthProbability = 0.95

    /// `bptt` with probability 0.95, else ⌊bptt/2⌋ (Python's `int(bptt / 2.)`); one uniform draw.
    public static func draw(bptt: Int, using rng: inout PhiloxRandom) -> Int {
        rng.nextUniformDouble() < fullLengthProbability ? bptt : bptt / 2
    }

    /// The learning-rate factor of a step whose drawn length is `length`: ℓ/bptt (DARTS
    /// `lr2 * seq_len / args.bptt`, with the drawn length even when the batch is cut at the end).
    public static func learningRateScale(length: Int, bptt: Int) -> Double {
        Double(length) / Double(bptt)
    }
}
