// Reverse-mode automatic differentiation: `loss.backward()`.

extension Tensor {
    /// Computes the gradient of this scalar with respect to every tensor that requires one.
    ///
    /// Visits the recorded graph in reverse topological order, so that each tensor's gradient is
    /// complete before it is sent on to its inputs. As in PyTorch, leaves' gradients accumulate
    /// (``zeroGrad()`` between steps) and the graph is consumed: a second `backward()` needs a new
    /// forward pass.
    public func backward() {
        check(count == 1, "backward() needs a scalar, not shape \(shape)")
        guard let record else { fatalError("backward() on a tensor that does not require a gradient") }
        var order = Tensor.topologicalOrder(from: record)
        record.gradElements()[0] += 1   // ∂loss/∂loss
        // The graph is released as it is used, as in PyTorch: an intermediate result's node is taken
        // out (not copied), and once it has sent its gradient on, its gradient and saved values go.
        while let record = order.popLast() {
            record.visited = false
            guard let node = record.node.take() else { continue }   // a leaf keeps its gradient
            if record.grad != nil { node.backward(record, node.first, node.second) }
            (record.grad, record.savedValues) = (nil, nil)
        }
    }

    /// Every record `root` depends on, inputs before the results computed from them. Marks each as
    /// ``GradientRecord/visited`` (no set to hash into); `backward()` clears the marks.
    private static func topologicalOrder(from root: GradientRecord) -> [GradientRecord] {
        var order: [GradientRecord] = []
        // Iterative depth-first search: a long recurrence would overflow the stack if recursive.
        var stack: [(record: GradientRecord, expanded: Bool)] = [(root, false)]
        while let (record, expanded) = stack.popLast() {
            if expanded { order.append(record); continue }
            guard !record.visited else { continue }
            record.visited = true
            stack.append((record, true))
            // Taken out and put back: reading the node in place would copy its four references.
            guard let node = record.node.take() else { continue }
            if let input = node.first, !input.visited { stack.append((input, false)) }
            if let input = node.second, !input.visited { stack.append((input, false)) }
            for input in node.others where !input.visited { stack.append((input, false)) }
            record.node = consume node
        }
        return order
    }
}
