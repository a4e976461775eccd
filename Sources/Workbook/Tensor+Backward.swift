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
        check(requiresGrad, "backward() on a tensor that does not require a gradient")
        var order = topologicalOrder()
        gradPointer()[0] += 1
        // As PyTorch does, the graph is released as it is used: once an intermediate result has
        // sent its gradient on, its gradient and its record go, so memory shrinks during the pass
        // instead of holding every intermediate and its gradient to the end. Leaves keep theirs.
        while let tensor = order.popLast() {
            tensor.visited = false
            guard let node = tensor.node else { continue }
            if tensor.grad != nil { node.backward(tensor) }
            tensor.node = nil
            tensor.grad = nil
        }
    }

    /// Every tensor this one depends on through the graph, inputs before the results computed from them.
    ///
    /// Marks each tensor it reaches as ``visited`` (a flag in the tensor rather than a set of
    /// identities: no hashing); `backward()` clears the marks as it goes through the order.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        // Iterative depth-first search: a long recurrence would overflow the stack if recursive.
        var stack: [(tensor: Tensor, expanded: Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard !tensor.visited else { continue }
            tensor.visited = true
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGrad && !input.visited {
                stack.append((input, false))
            }
        }
        return order
    }
}
