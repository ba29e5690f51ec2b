"""problem.to_hubo(method="symbolic") equals the direct forward pass of the polynomial net."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

import anneal_binn as ab
from anneal_binn.errors import TooLargeError
from anneal_binn.formulation import symbolic
from anneal_binn.formulation.polyfit import PolyFit, fit_function
from anneal_binn.model import network
from anneal_binn.model.architecture import index_to_bits


def _all(problem):
    return index_to_bits(np.arange(2**problem.num_variables), problem.num_variables)


def _patched_losses(monkeypatch, problem, expansion, bits):
    """True losses of the net whose activations are the fitted polynomials."""
    for _, fit in expansion.fits:
        monkeypatch.setitem(network.ACTIVATIONS, fit.name, fit)
    return problem.losses(bits)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_every_architecture_bit_matches_forward_pass(monkeypatch, vartype):
    # hidden layer with width choice, neuron masks and an activation choice; output with a
    # connection mask and an activation choice: 16 variables, checked on 4,096 random nets
    problem = ab.build_from_dict({
        "data": {"source": "gaussian-mixture", "n_train": 12, "n_test": 4},
        "model": {"loss": "mse",
                  "hidden": [{"width": [1, 2], "bias": True, "activation": ["sigmoid", "relu"], "neuron_mask": True}],
                  "output": {"activation": ["identity", "tanh"], "bias": True, "mask": True}}})
    kinds = {r.kind for r in problem.register.roles}
    assert kinds == {"weight", "bias", "mask", "neuron", "activation", "width"}
    ex = symbolic.expand(problem, vartype=vartype, degree=2, interval=3.0)
    bits = np.random.default_rng(1).integers(0, 2, size=(4096, problem.num_variables), dtype=np.uint8)
    ref = _patched_losses(monkeypatch, problem, ex, bits)
    np.testing.assert_allclose(ex.poly.evaluate(bits), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
    assert {f.name for _, f in ex.fits} == {"sigmoid", "relu", "tanh"}
    assert all(f.max_error > 0 and f.interval == (-3.0, 3.0) for _, f in ex.fits)


def test_hubo_matches_forward_pass_on_random_configurations(monkeypatch):
    # one layer, 26 weights + bias + activation-choice bit: beyond comfortable enumeration
    problem = ab.build_from_dict({
        "data": {"source": "digits", "classes": [0, 1], "downscale": 5, "n_train": 40},
        "model": {"loss": "mse", "output": {"activation": ["sigmoid", "tanh"], "bias": True}}})
    ex = symbolic.expand(problem, vartype="BINARY", degree=2)
    hubo = ex.hubo()
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(200, problem.num_variables), dtype=np.uint8)
    ref = _patched_losses(monkeypatch, problem, ex, bits)
    np.testing.assert_allclose(ex.poly.evaluate(bits), ref, rtol=1e-9)
    e = [hubo.energy(dict(enumerate(b))) for b in bits[:20].tolist()]
    np.testing.assert_allclose(e, ref[:20], rtol=1e-9)


def test_identity_mse_is_exact_without_fits():
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                  "model": {"loss": "mse", "output": {"activation": "identity", "bias": True}}})
    ex = symbolic.expand(problem, vartype="SPIN")
    assert ex.fits == ()
    bits = _all(problem)
    np.testing.assert_allclose(ex.poly.evaluate(bits), problem.losses(bits), rtol=1e-12, atol=1e-12)
    # and it agrees with the exact Fourier route term by term
    fourier = problem.to_hubo(method="fourier", vartype="SPIN")
    ours = problem.to_hubo(method="symbolic", vartype="SPIN")
    for term in set(fourier) | set(ours):
        assert ours.get(term, 0.0) == pytest.approx(fourier.get(term, 0.0), abs=1e-9)


def test_user_sympy_activation_and_loss(monkeypatch):
    z, f, t = sympy.symbols("z f t")
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 2},
                                  "model": {"loss": "mse", "hidden": [{"width": 2, "activation": "tanh"}],
                                            "output": {"activation": "identity"}}})
    ex = symbolic.expand(problem, vartype="SPIN", activations={"tanh": z - z**3 / 3})
    bits = _all(problem)
    monkeypatch.setitem(network.ACTIVATIONS, "tanh", lambda u: u - u**3 / 3)
    np.testing.assert_allclose(ex.poly.evaluate(bits), problem.losses(bits), rtol=1e-10, atol=1e-10)
    # a quartic surrogate loss written in sympy: (f - t)**2 + (f - t)**4 / 10, summed... as a mean
    ex4 = symbolic.expand(problem, vartype="SPIN", activations={"tanh": z - z**3 / 3},
                          loss_expr=(f - t) ** 2 + (f - t) ** 4 / 10)
    zz, out = problem.network.forward(bits, problem.data.x_train)
    tt = np.where(problem.data.y_train > 0, 1.0, -1.0)
    d = out[..., 0] - tt
    np.testing.assert_allclose(ex4.poly.evaluate(bits), (d**2 + d**4 / 10).mean(axis=1), rtol=1e-10, atol=1e-10)


def test_bce_uses_a_reported_softplus_fit():
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                  "model": {"loss": "bce", "output": {"activation": "sigmoid", "bias": True}}})
    ex = symbolic.expand(problem, vartype="BINARY", loss_degree=4)
    assert ex.loss_fit is not None and ex.loss_fit.name == "softplus" and ex.loss_fit.max_error > 0
    bits = _all(problem)
    z, _ = problem.network.forward(bits, problem.data.x_train)
    y01 = (problem.data.y_train > 0).astype(float)
    ref = (ex.loss_fit(z[..., 0]) - y01 * z[..., 0]).mean(axis=1)
    np.testing.assert_allclose(ex.poly.evaluate(bits), ref, rtol=1e-10, atol=1e-12)
    # the surrogate is close to the true loss where the fit is good
    assert np.abs(ex.poly.evaluate(bits) - problem.losses(bits)).max() <= ex.loss_fit.max_error + 1e-9


def test_refusals_name_the_term_count_and_the_alternative():
    problem = ab.build_from_dict({"data": {"source": "digits", "classes": [0, 1], "downscale": 8, "n_train": 20},
                                  "model": {"loss": "mse", "output": {"activation": "sigmoid", "bias": True}}})
    with pytest.raises(TooLargeError, match=r"would create up to [\d,]+ terms"):
        symbolic.expand(problem, degree=5, max_terms=1_000_000)
    with pytest.raises(TooLargeError, match="max_degree"):
        symbolic.expand(problem, degree=3, max_degree=3)
    sign_net = ab.build_from_dict({"data": {"source": "fawaz", "problem": 1},
                                   "model": {"loss": "zero-one", "output": {"activation": "sign"}}})
    with pytest.raises(ValueError, match="auxiliary"):
        sign_net.to_hubo(method="symbolic")


def test_fits_report_their_error():
    cheb = fit_function("sigmoid", 3, (-4.0, 4.0))
    lsq = fit_function("sigmoid", 3, (-4.0, 4.0), method="lstsq")
    grid = np.linspace(-4, 4, 1001)
    true = 1 / (1 + np.exp(-grid))
    for fit in (cheb, lsq):
        assert fit.max_error == pytest.approx(np.abs(fit(grid) - true).max(), rel=0.05)
        assert 0 < fit.rms_error <= fit.max_error < 0.05
    assert lsq.rms_error <= cheb.rms_error * 1.01  # least squares minimizes the rms
    assert fit_function(sympy.sin(sympy.Symbol("u")), 5, (-1, 1)).max_error < 1e-3
    assert PolyFit.exact("identity", [0, 1]).degree == 1
    with pytest.raises(ValueError, match="degree"):
        fit_function("tanh", -1, (-1, 1))
    with pytest.raises(ValueError, match="interval"):
        fit_function("tanh", 3, (1, -1))


@pytest.mark.slow
def test_mnist8x8_activation_66_bits_whole_training_split(monkeypatch):
    problem = ab.build(ab.load_spec("mnist8x8-activation"))
    assert problem.num_variables == 66 and len(problem.data.y_train) == 800
    assert {r.kind for r in problem.register.roles} == {"weight", "bias", "activation"}
    ex = symbolic.expand(problem, vartype="SPIN", degree=2)
    assert 1e5 < ex.num_terms <= ex.predicted_terms
    bits = np.random.default_rng(0).integers(0, 2, size=(64, 66), dtype=np.uint8)
    ref = _patched_losses(monkeypatch, problem, ex, bits)
    np.testing.assert_allclose(ex.poly.evaluate(bits), ref, rtol=1e-9)


_SIGMOID = ({"loss": "mse", "output": {"activation": "sigmoid", "bias": True}}, {"degree": 3})
_HIDDEN = ({"loss": "mse", "hidden": [{"width": 2, "activation": "tanh"}], "output": {"activation": "identity"}},
           {"degree": 3})
_BCE = ({"loss": "bce", "output": {"activation": "sigmoid", "bias": True}}, {"loss_degree": 4})


@pytest.mark.parametrize("model,options,vartype", [
    (*_SIGMOID, "SPIN"), (*_SIGMOID, "BINARY"), (*_HIDDEN, "SPIN"),
    pytest.param(*_HIDDEN, "BINARY", marks=pytest.mark.slow),  # sympy needs ~15 s here
    (*_BCE, "SPIN"), (*_BCE, "BINARY"),
], ids=["sigmoid-mse-SPIN", "sigmoid-mse-BINARY", "hidden-tanh-SPIN", "hidden-tanh-BINARY", "bce-SPIN", "bce-BINARY"])
def test_problem_coefficients_equal_sympy_expansion(model, options, vartype):
    problem = ab.build_from_dict({"data": {"source": "fawaz", "problem": 2}, "model": model})
    ex = symbolic.expand(problem, vartype=vartype, **options)
    ref = symbolic.sympy_reduce(symbolic.sympy_loss(problem, ex, vartype=vartype),
                                symbolic.symbols_for(problem.num_variables, vartype), vartype)
    ours = ex.poly.to_dict()
    scale = max(abs(float(v)) for v in ref.values())
    for key in set(ref) | set(ours):
        assert ours.get(key, 0.0) == pytest.approx(float(ref.get(key, 0)), abs=1e-10 * scale)
