"""Tiny nets for the selection tests: random ±1 weights, a few dozen samples, every loss."""
import anneal_binn as ab


def net(loss="bce", out="sigmoid", hidden=((4, "sign"),), out_mask=True, hidden_mask=False, neuron_mask=False,
        bias=True, classes=(1, 7), n_train=40, downscale=2):
    return ab.build_from_dict({
        "name": f"tiny-{loss}", "seed": 0,
        "data": {"source": "digits", "classes": list(classes), "downscale": downscale, "n_train": n_train},
        "model": {"loss": loss,
                  "hidden": [{"width": w, "bias": bias, "activation": a, "mask": hidden_mask,
                              "neuron_mask": neuron_mask} for w, a in hidden],
                  "output": {"bias": bias, "activation": out, "mask": out_mask}}})


# (loss, output activation, classes): the output layers the fast path specializes and the generic ones
OUTPUTS = [("bce", "sigmoid", (1, 7)), ("softmax-ce", "softmax", (0, 1, 2)), ("softmax-ce", "identity", (0, 1, 2, 3)),
           ("zero-one", "sign", (1, 7)), ("mse", "identity", (0, 1, 2)), ("mse", "tanh", (1, 7))]
