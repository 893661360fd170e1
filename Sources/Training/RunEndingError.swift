// An error that ends a run in a state of its own (e.g. `diverged`) rather than `failed`: the
// launcher writes that state to status.json before passing the error on.

import RunStore

public protocol RunEndingError: Error {
    /// The state status.json records when this error ends the run.
    var runState: RunState { get }
}
