// The per-step scalar figures: FIMT (Figure 3: F, its moving average F̄, the threshold τ and
// the α-step markers), losses and accuracies on the training and α splits (an evaluation's on
// training and test; a Penn Treebank run's losses and perplexities, with validation and test at
// epoch ends), and the regulariser. One run draws each quantity in its own colour; an
// overlay gives each run a colour and each quantity a dash, with the legend naming the runs.

public enum ScalarFigures {
    struct Quantity { var key: String; var label: String; var dash: LineDash; var colour: String; var scale = 1.0 }

    /// Panels of `quantities` per run; runs that hold none of a panel's values draw nothing there.
    static func figure(title: String, runs: [PlotRun], panels: [(title: String, yLabel: String, quantities: [Quantity])],
                       markers: ((PlotRun) -> [Double])? = nil, markerLabel: String = "") -> ChartFigure {
        let overlay = runs.count > 1
        var chartPanels: [ChartPanel] = []
        var legend: [LegendEntry] = []
        for panel in panels {
            var series: [ChartSeries] = []
            var marks: [ChartMarkers] = []
            for (n, run) in runs.enumerated() {
                for q in panel.quantities where run.hasFinite(q.key) {
                    let colour = overlay ? PlotPalette.colour(run: n) : q.colour
                    series.append(ChartSeries(label: overlay ? "\(q.label), \(run.label(among: runs))" : q.label, colour: colour,
                                              dash: overlay ? q.dash : .solid,
                                              points: run.series(q.key).map { ($0.x, $0.y * q.scale) }))
                }
                if let markers {
                    marks.append(ChartMarkers(label: "\(markerLabel), \(run.label(among: runs))",
                                              colour: overlay ? PlotPalette.colour(run: n) : "#000000", xs: markers(run)))
                }
            }
            chartPanels.append(ChartPanel(title: panel.title, xLabel: "step (iterations)", yLabel: panel.yLabel,
                                          series: series, markers: marks))
        }
        let all = panels.flatMap(\.quantities).filter { q in runs.contains { $0.hasFinite(q.key) } }
        if overlay {
            legend = runs.enumerated().map { LegendEntry(label: $1.label(among: runs), colour: PlotPalette.colour(run: $0)) }
                + all.map { LegendEntry(label: $0.label, colour: "#333333", dash: $0.dash) }
        } else {
            legend = all.map { LegendEntry(label: $0.label, colour: $0.colour) }
        }
        if markers != nil { legend.append(LegendEntry(label: markerLabel, colour: overlay ? "#333333" : "#000000", isMarker: true)) }
        let subtitle = overlay ? "\(runs.count) runs: " + runs.map { $0.label(among: runs) }.joined(separator: ", ") : runs[0].identity
        return ChartFigure(title: title, subtitle: subtitle, panels: chartPanels, columns: panels.count, legend: legend)
    }

    public static func fimt(_ runs: [PlotRun]) -> ChartFigure {
        figure(title: "FIMT: trace F, moving average F̄ and threshold τ", runs: runs,
               panels: [("Fisher information trace", "Σ (∂L/∂w)² (per weight step)", [
                   Quantity(key: "F", label: "F", dash: .dotted, colour: "#9e9e9e"),
                   Quantity(key: "Fbar", label: "F̄ (moving average)", dash: .solid, colour: "#1f77b4"),
                   Quantity(key: "tau", label: "τ (threshold)", dash: .dashed, colour: "#d62728"),
               ])],
               markers: { run in run.rows.filter { $0.values["alpha_step"] == 1 }.map { Double($0.step) } },
               markerLabel: "α step taken")
    }

    public static func losses(_ runs: [PlotRun]) -> ChartFigure {
        figure(title: "Loss and accuracy", runs: runs, panels: [
            ("loss", "cross-entropy loss (nats)", [
                Quantity(key: "train_loss", label: "training split loss", dash: .solid, colour: "#1f77b4"),
                Quantity(key: "alpha_loss", label: "α split loss (+ regulariser)", dash: .dashed, colour: "#d62728"),
                Quantity(key: "test_loss", label: "test split loss", dash: .dotted, colour: "#2ca02c"),
            ]),
            ("accuracy", "accuracy (%)", [
                Quantity(key: "train_acc", label: "training split accuracy", dash: .solid, colour: "#1f77b4", scale: 100),
                Quantity(key: "alpha_acc", label: "α split accuracy", dash: .dashed, colour: "#d62728", scale: 100),
                Quantity(key: "test_acc", label: "test split accuracy", dash: .dotted, colour: "#2ca02c", scale: 100),
            ]),
        ])
    }

    /// A text run's (rnn-search, rnn-evaluation) losses and perplexities: per-step training (and
    /// a search's α split) loss, validation at epoch ends, test after the last epoch.
    public static func textLosses(_ runs: [PlotRun]) -> ChartFigure {
        figure(title: "Loss and perplexity", runs: runs, panels: [
            ("loss", "cross-entropy loss (nats per token)", [
                Quantity(key: "train_loss", label: "training loss", dash: .solid, colour: "#1f77b4"),
                Quantity(key: "alpha_loss", label: "α split loss (+ regulariser)", dash: .dashed, colour: "#d62728"),
                Quantity(key: "valid_loss", label: "validation loss", dash: .dashDot, colour: "#ff7f0e"),
                Quantity(key: "test_loss", label: "test loss", dash: .dotted, colour: "#2ca02c"),
            ]),
            ("perplexity", "perplexity (exp of the NLL per token)", [
                Quantity(key: "train_ppl", label: "training perplexity", dash: .solid, colour: "#1f77b4"),
                Quantity(key: "valid_ppl", label: "validation perplexity", dash: .dashDot, colour: "#ff7f0e"),
                Quantity(key: "test_ppl", label: "test perplexity", dash: .dotted, colour: "#2ca02c"),
            ]),
        ])
    }

    public static func regularizer(_ runs: [PlotRun]) -> ChartFigure {
        figure(title: "Regulariser", runs: runs, panels: [
            ("regulariser at α steps", "regulariser value (added to the α loss)", [
                Quantity(key: "regularizer", label: "regulariser", dash: .solid, colour: "#9467bd"),
            ]),
        ])
    }
}
