"""The paper's models, built with Keras 3 (backend-agnostic).

Recurrent models (SimpleRNN, LSTM, or the power-law LSTM of chapter 12, planned):
recurrent layer (128 units) -> Dropout(0.5) ->
Dense(128, relu) -> Dense(10, softmax), trained with Adam on cross-entropy.
CNN baseline: Conv2D(32 filters, 3x3, relu) -> MaxPooling2D(2x2) -> Flatten ->
Dense(128, relu) -> Dense(10, softmax).  Introduced in chapter 4.
"""

from __future__ import annotations

import keras
import numpy as np

from .plstm import power_law_lstm
from .specs import ExperimentSpec

__all__ = ["build_model", "ChronoBias"]


@keras.saving.register_keras_serializable(package="hilbertlib")
class ChronoBias(keras.initializers.Initializer):
    """Chrono initialisation of an LSTM bias (Tallec & Ollivier, 2018).

    Forget-gate bias ``log(U[1, t_max - 1])``, input-gate bias its negative,
    the rest zero.  Keras orders the LSTM bias as [input, forget, cell, output].
    Introduced in chapter 11 ("Making 784 steps learn").
    """

    def __init__(self, t_max: int, units: int, seed: int = 0):
        self.t_max, self.units, self.seed = int(t_max), int(units), int(seed)

    def __call__(self, shape, dtype=None):
        rng = np.random.default_rng(self.seed)
        fb = np.log(rng.uniform(1.0, max(2.0, self.t_max - 1.0), size=self.units))
        bias = np.zeros(shape, dtype="float32")
        bias[: self.units] = -fb
        bias[self.units : 2 * self.units] = fb
        return keras.ops.convert_to_tensor(bias, dtype=dtype)

    def get_config(self):
        return {"t_max": self.t_max, "units": self.units, "seed": self.seed}


def build_model(spec: ExperimentSpec, steps_per_epoch: int | None = None, *, record_gradients: bool = True):
    """Compiled Keras model for ``spec`` (chapter 4).

    The caller seeds Keras first (:func:`hilbertlib.runner.set_seed`).
    A ``cosine`` schedule (chapter 11) needs ``steps_per_epoch``, the number
    of mini-batches in one epoch, to end its decay at the last step.
    ``record_gradients`` (the default) gives the optimizer the gradient-norm
    records of :mod:`hilbertlib.gradients`; the weights' updates are the same
    either way.
    """
    layers = keras.layers
    if spec.model == "cnn":
        inputs = keras.Input((spec.size, spec.size, 1))
        x = layers.Conv2D(spec.cnn_filters, 3, activation="relu")(inputs)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Flatten()(x)
    else:
        inputs = keras.Input((spec.sequence_length, 1))
        if spec.model == "simple_rnn":
            rnn = layers.SimpleRNN(spec.units)
        elif spec.model == "plstm":
            rnn = power_law_lstm(spec.units)
        else:
            kwargs = {}
            if spec.init == "chrono":
                kwargs["bias_initializer"] = ChronoBias(spec.sequence_length, spec.units, spec.seed)
                kwargs["unit_forget_bias"] = False
            rnn = layers.LSTM(spec.units, **kwargs)
        x = rnn(inputs)
    if spec.model != "cnn":  # the paper's recurrent head has Dropout(0.5); its CNN has none
        x = layers.Dropout(spec.dropout)(x)
    x = layers.Dense(spec.dense_units, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=spec.id.replace("-", "_").replace(".", "_"))
    learning_rate = spec.learning_rate
    if spec.schedule == "cosine":
        if steps_per_epoch is None or steps_per_epoch < 1:
            raise ValueError(f"a cosine schedule needs steps_per_epoch (a positive integer), got {steps_per_epoch!r}")
        learning_rate = keras.optimizers.schedules.CosineDecay(spec.learning_rate, spec.epochs * steps_per_epoch)
    opt_kwargs = {"learning_rate": learning_rate}
    if spec.clipnorm is not None:
        opt_kwargs["clipnorm"] = spec.clipnorm
    if record_gradients:
        from .gradients import recording_optimizer

        optimizer = recording_optimizer(spec.optimizer, **opt_kwargs)
    else:
        optimizer = (keras.optimizers.Adam if spec.optimizer == "adam" else keras.optimizers.RMSprop)(**opt_kwargs)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
