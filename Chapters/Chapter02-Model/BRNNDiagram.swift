// The bidirectional notebook's model diagram, BRNN_fig1, drawn with gnuplot objects.

import Figures

/// The bidirectional notebook's model diagram (BRNN_fig1), drawn with gnuplot objects only (no data):
/// a forward RNN reading digits 1, 2, 3 left to right (three boxes "h1 h2 h3" with arrows between
/// them and input digit labels x1 x2 x3 below),
/// a backward RNN reading digits 6, 5, 4 (boxes with arrows right-to-left, inputs x6 x5 x4),
/// each ending in an output node (out_3 = "d1d2d3 < 500 ?", out_5 = "d6d5d4 > 500 ?"), and the
/// two outputs multiplied ("×") into the prediction ŷ.
/// Clear and readable at 640×480; title "BRNN: two RNNs over the two halves, outputs multiplied".
///
/// The digits sit in their order, x1 … x6, left to right; the backward RNN starts at x6, so both
/// RNNs end in the middle, where their outputs meet.
func bidirectionalDiagram() -> Figure {
    var figure = Figure(name: "BRNN_fig1",
                        title: "BRNN: two RNNs over the two halves, outputs multiplied")
    var sketch = Sketch()
    let forward = (fill: "#dbe8f5", edge: "#1f77b4"), backward = (fill: "#ffe4cc", edge: "#ff7f0e")
    let stateY = 4.2, inputY = 2.1, outputY = 6.9, productY = 8.7, predictionY = 10.6
    let box = (width: 1.3, height: 1.1)

    // The six digits and the hidden state that reads each: 1, 2, 3 forward; 6, 5, 4 backward.
    let columns: [(digit: Int, x: Double)] = [(1, 2), (2, 4), (3, 6), (4, 10), (5, 12), (6, 14)]
    for (digit, x) in columns {
        let colors = digit <= 3 ? forward : backward
        sketch.box(at: (x, stateY), size: box, fill: colors.fill, edge: colors.edge, text: "h\(digit)")
        sketch.label("x\(digit)", at: (x, inputY))
        sketch.arrow(from: (x, inputY + 0.4), to: (x, stateY - box.height / 2))
    }
    // The recurrences: h1 → h2 → h3, and h6 → h5 → h4.
    for (from, to) in [(2.0, 4.0), (4, 6), (14, 12), (12, 10)] {
        let direction = to > from ? 1.0 : -1.0
        sketch.arrow(from: (from + direction * box.width / 2, stateY),
                     to: (to - direction * box.width / 2, stateY))
    }
    sketch.label("forward RNN reads digits 1, 2, 3 →", at: (4, 1.0), color: forward.edge)
    sketch.label("← backward RNN reads digits 6, 5, 4", at: (12, 1.0), color: backward.edge)

    // Each RNN's last state gives one output; the two are multiplied into the prediction.
    let output = (width: 2.0, height: 1.0)
    let out3 = (6.0, outputY), out5 = (10.0, outputY), product = (8.0, productY),
        prediction = (8.0, predictionY)
    sketch.ellipse(at: out3, size: output, fill: "#f2f2f2", edge: "#555555", text: "out_3")
    sketch.ellipse(at: out5, size: output, fill: "#f2f2f2", edge: "#555555", text: "out_5")
    sketch.arrow(from: (6, stateY + box.height / 2), to: (6, outputY - output.height / 2))
    sketch.arrow(from: (10, stateY + box.height / 2), to: (10, outputY - output.height / 2))
    sketch.label("d1d2d3 < 500 ?", at: (6 - output.width / 2 - 0.25, outputY), align: "right")
    sketch.label("d6d5d4 > 500 ?", at: (10 + output.width / 2 + 0.25, outputY), align: "left")

    let radius = 0.45
    sketch.circle(at: product, radius: radius, fill: "#ffffff", edge: "#333333", text: "×", font: ",16")
    sketch.circle(at: prediction, radius: radius, fill: "#dff0d8", edge: "#2ca02c", text: "ŷ",
                  font: ",13")
    sketch.label("prediction ŷ = out_3 × out_5", at: (product.0 + radius + 0.35, predictionY),
                 align: "left")
    sketch.arrow(from: sketch.edge(of: out3, ellipse: output, toward: product),
                 to: sketch.edge(ofCircle: product, radius: radius, toward: out3))
    sketch.arrow(from: sketch.edge(of: out5, ellipse: output, toward: product),
                 to: sketch.edge(ofCircle: product, radius: radius, toward: out5))
    sketch.arrow(from: sketch.edge(ofCircle: product, radius: radius, toward: prediction),
                 to: sketch.edge(ofCircle: prediction, radius: radius, toward: product))

    figure.drawing = sketch.commands
    return figure
}
