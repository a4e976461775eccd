// Parameters, as `nn.Module` registers them.

/// A model with trainable parameters, in the manner of `torch.nn.Module`.
public protocol Module: AnyObject {
    /// The registered parameters with their PyTorch `state_dict` names, in registration order.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension Module {
    /// The registered parameters (`model.parameters()`): what the optimiser updates and clipping sees.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }
}

extension Tensor {
    /// A trainable tensor (`nn.Parameter`): a copy of `values` that requires a gradient.
    public static func parameter(_ values: Tensor) -> Tensor {
        let p = values.detached()
        p.requiresGrad = true
        return p
    }
}
