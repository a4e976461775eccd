// Reverse-mode automatic differentiation: `loss.backward()`.

extension Tensor {
    /// Computes the gradient of this scalar with respect to every tensor that requires one.
    ///
    /// Visits the recorded graph in reverse topological order, so that each tensor's gradient is
    /// complete before it is sent on to its inputs. Gradients of leaves accumulate with `+=`,
    /// as in PyTorch: call ``zeroGrad()`` (or the optimiser's) between steps. As in PyTorch, the
    /// graph is consumed: intermediate results keep no gradient, and a second `backward()` through
    /// them needs a new forward pass.
    public func backward() {
        check(count == 1, "backward() needs a scalar, not shape \(shape)")
        guard let record else { fatalError("backward() on a tensor that does not require a gradient") }
        var order = Tensor.topologicalOrder(from: record)
        record.gradElements()[0] += 1
        // As PyTorch does, the graph is released as it is used: once an intermediate result has
        // sent its gradient on, its gradient and its record go, so memory shrinks during the pass
        // instead of holding every intermediate and its gradient to the end. Leaves keep theirs.
        while let record = order.popLast() {
            record.visited = false
            guard let node = record.node else { continue }
            if record.grad != nil { node.backward(record) }
            record.node = nil
            record.grad = nil
            record.savedValues = nil
        }
    }

    /// Every record `root` depends on through the graph, inputs before the results computed from them.
    ///
    /// Marks each record it reaches as ``GradientRecord/visited`` (a flag in the record rather than
    /// a set of identities: no hashing); `backward()` clears the marks as it goes through the order.
    private static func topologicalOrder(from root: GradientRecord) -> [GradientRecord] {
        var order: [GradientRecord] = []
        // Iterative depth-first search: a long recurrence would overflow the stack if recursive.
        var stack: [(record: GradientRecord, expanded: Bool)] = [(root, false)]
        while let (record, expanded) = stack.popLast() {
            if expanded { order.append(record); continue }
            guard !record.visited else { continue }
            record.visited = true
            stack.append((record, true))
            record.node?.forEachInput { input in
                if !input.visited { stack.append((input, false)) }
            }
        }
        return order
    }
}
