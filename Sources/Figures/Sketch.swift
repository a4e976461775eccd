// Diagrams drawn with gnuplot objects: boxes, ellipses, circles, labels and arrows.

import Foundation

/// gnuplot objects, labels and arrows on a 16 × 12 drawing area (see ``Figure/diagramSetup()``):
/// a diagram is a ``Figure`` whose ``Figure/drawing`` is a sketch's ``commands``.
public struct Sketch {
    public init() {}

    public typealias Point = (x: Double, y: Double)

    public private(set) var commands: [String] = []
    private var objects = 0

    /// Pixels per unit across and up the 640 × 480 image: 0.96 × 640 / 16 and 0.88 × 480 / 12.
    /// Circles are round on screen, so they are 16/15 taller in y units than in x units.
    public static let aspect = (0.96 * 640 / 16) / (0.88 * 480 / 12)

    public mutating func box(at center: Point, size: (width: Double, height: Double), fill: String, edge: String, text: String) {
        objects += 1
        commands.append("set object \(objects) rect center \(n(center.x)),\(n(center.y)) size \(n(size.width)),\(n(size.height)) fc rgb \"\(fill)\" fs solid 1.0 border lc rgb \"\(edge)\" lw 1.5")
        label(text, at: center, font: ",11")
    }

    public mutating func ellipse(at center: Point, size: (width: Double, height: Double), fill: String, edge: String, text: String) {
        objects += 1
        commands.append("set object \(objects) ellipse center \(n(center.x)),\(n(center.y)) size \(n(size.width)),\(n(size.height)) fc rgb \"\(fill)\" fs solid 1.0 border lc rgb \"\(edge)\" lw 1.5")
        label(text, at: center, font: ",11")
    }

    public mutating func circle(at center: Point, radius: Double, fill: String, edge: String, text: String, font: String) {
        objects += 1
        commands.append("set object \(objects) circle at \(n(center.x)),\(n(center.y)) size \(n(radius)) fc rgb \"\(fill)\" fs solid 1.0 border lc rgb \"\(edge)\" lw 1.5")
        label(text, at: center, font: font)
    }

    public mutating func label(_ text: String, at point: Point, align: String = "center", font: String = ",10", color: String = "#000000") {
        commands.append("set label \(gnuplotString(text)) at \(n(point.x)),\(n(point.y)) \(align) front noenhanced font \"\(font)\" tc rgb \"\(color)\"")
    }

    public mutating func arrow(from start: Point, to end: Point) {
        commands.append("set arrow from \(n(start.x)),\(n(start.y)) to \(n(end.x)),\(n(end.y)) head filled size screen 0.014,22 lw 1.5 lc rgb \"#333333\" front")
    }

    /// Where the ray from an ellipse's centre toward `target` leaves the ellipse.
    public func edge(of center: Point, ellipse size: (width: Double, height: Double), toward target: Point) -> Point {
        let dx = target.x - center.x, dy = target.y - center.y
        let t = 1 / ((dx / (size.width / 2)) * (dx / (size.width / 2)) + (dy / (size.height / 2)) * (dy / (size.height / 2))).squareRoot()
        return (center.x + t * dx, center.y + t * dy)
    }

    /// Where the ray from a circle's centre toward `target` leaves the circle.
    public func edge(ofCircle center: Point, radius: Double, toward target: Point) -> Point {
        edge(of: center, ellipse: (2 * radius, 2 * radius * Sketch.aspect), toward: target)
    }

    /// A coordinate, to two decimals.
    private func n(_ value: Double) -> String { String(format: "%.2f", value) }
}
