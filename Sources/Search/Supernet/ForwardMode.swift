// The search's forward modes are DartsNN's (Layers/ForwardMode.swift); this alias keeps
// `ForwardMode` in scope for Search's own files and for clients that import Search alone.

import DartsNN

/// How one forward pass treats gradients and batch-norm statistics (see `DartsNN.ForwardMode`).
public typealias ForwardMode = DartsNN.ForwardMode
