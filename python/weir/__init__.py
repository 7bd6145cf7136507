"""Weir from Python: compile a .weir model, then fit, evaluate and predict
on numpy arrays, in the shapes Keras users know.

    import weir
    model = weir.compile("examples/fashion_mlp.weir", seed=7)
    model.summary()
    history = model.fit(x_train, y_train, epochs=5,
                        validation_data=(x_test, y_test))
    history.history["val_loss"]          # one value per epoch
    model.evaluate(x_test, y_test)       # [loss, accuracy]
    probs = model.predict(x_test)        # a numpy array

It is the compiler and runtime that the `weir` command runs, in this
process: the same passes, the same compiled step, the same bits. Errors are
WeirError, whose text is the compiler's (file:line:col and the source
line). docs/python.md has the whole interface.
"""

import os

from . import _weir
from ._weir import WeirError

__all__ = ["compile", "Model", "History", "WeirError"]
__version__ = "0.1.0"


def _path(p):
    return "" if p is None else os.fspath(p)


def _hp_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back exactly
    return str(value)


def compile(model=None, *, source=None, name="model.weir", seed=0, threads=0,
            weights=None, precision=None, device="cpu", hyperparameters=None):
    """Compiles a model for training and inference.

    model: the path of a .weir (or MLIR) file; or give its text as
        `source`, with `name` standing for the file in error messages (its
        extension picks the parser).
    seed: initializers, shuffling and dropout derive from it.
    threads: the batch is split over this many threads (0: every core).
    weights: start from this .safetensors file instead of initializers.
    precision: "float32", "mixed_bfloat16" or "mixed_float16" (Keras'
        policy names); None: the train block's.
    device: "cpu", "cuda", "auto" or "cuda-emulator".
    hyperparameters: the point of the file's search space to compile, by
        name ({"dense.units": 32, "optimizer": "adam"}); the others take
        their defaults (docs/language.md, "Search spaces").

    Raises WeirError with the compiler's diagnostics.
    """
    if (model is None) == (source is None):
        raise TypeError("compile() takes a model file's path or source=, "
                        "one of the two")
    core = _weir.Model.compile(None if model is None else os.fspath(model),
                               source, name, int(seed), int(threads),
                               _path(weights), precision or "", device,
                               {k: _hp_text(v)
                                for k, v in (hyperparameters or {}).items()})
    return Model(core)


class History:
    """What fit() returns, as Keras' History: `history` maps each logged
    value (loss, accuracy, val_loss, val_accuracy, learning_rate) to one
    value per epoch; `epoch` lists the epochs, counted from 0."""

    def __init__(self, epochs, params):
        self.history = {}
        for logs in epochs:
            for key, value in logs.items():
                self.history.setdefault(key, []).append(value)
        self.epoch = list(range(len(epochs)))
        self.params = params

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"


def _epoch_callback(callbacks):
    """One on_epoch_end(epoch, logs) for a list of callbacks: objects with
    that method (Keras' Callback shape) or plain callables."""
    if not callbacks:
        return None
    hooks = []
    for cb in callbacks:
        if hasattr(cb, "on_epoch_end"):
            hooks.append(cb.on_epoch_end)
        elif callable(cb):
            hooks.append(cb)
        else:
            raise TypeError(f"a callback is a callable or has on_epoch_end: "
                            f"{cb!r}")

    def on_epoch_end(epoch, logs):
        for hook in hooks:
            hook(epoch, logs)
    return on_epoch_end


def _call(callbacks, method):
    for cb in callbacks or ():
        fn = getattr(cb, method, None)
        if fn is not None:
            fn(None)


class Model:
    """A compiled model with its weights and optimizer state."""

    def __init__(self, core):
        self._core = core

    @property
    def name(self):
        return self._core.name

    @property
    def metrics_names(self):
        """["loss"] and the train block's metrics, as evaluate() returns
        them."""
        return ["loss"] + list(self._core.metrics)

    def fit(self, x=None, y=None, batch_size=None, epochs=None, verbose=1,
            callbacks=None, validation_split=0.0, validation_data=None, *,
            checkpoint=None, resume=False, history_csv=None, logdir=None,
            log_every=0, save_best=None, monitor="val_loss", output=None):
        """Trains, as Keras' fit(); returns a History.

        x, y: numpy arrays (x [N, ...], y [N] class indices or [N, ...]
            targets; any of float32/64, float16, uint8, int8/32/64, bool,
            converted as the model's input needs, read in place when
            C-contiguous); or x a data file (an IDX directory or an .npz)
            or the name of one of the model file's data pipelines; or
            nothing, for the train block's `train ... on PIPELINE`.
        batch_size, epochs: None for the train block's.
        verbose: 0 silent; otherwise one line per epoch.
        callbacks: objects with on_epoch_end(epoch, logs) (and optionally
            on_train_begin / on_train_end), or callables taking
            (epoch, logs). An exception in one stops training and is
            raised here.
        validation_split: the last fraction of x and y validates instead
            of training (taken before shuffling, as Keras does).
        validation_data: (x, y) arrays, a data file, a pipeline's name, or
            False for no validation at all. None: the train block's
            `validate:` when the data comes from a file or pipelines.
        checkpoint, resume: written atomically after every epoch; resume
            continues from it (Keras' BackupAndRestore).
        history_csv: Keras' CSVLogger file. logdir, log_every: TensorBoard
            event files. save_best, monitor: Keras' ModelCheckpoint with
            save_best_only. output: the weights file written at the end.

        Ctrl-C stops training after the current step (KeyboardInterrupt);
        the model keeps what it learned until then.
        """
        if validation_split:
            if validation_data is not None:
                raise ValueError("give validation_split or validation_data, "
                                 "not both")
            if not 0.0 < validation_split < 1.0:
                raise ValueError("validation_split is a fraction in (0, 1)")
            if x is None or isinstance(x, (str, os.PathLike)):
                raise ValueError("validation_split needs x and y as arrays")
            n = len(x)
            split = n - int(n * validation_split)
            if split <= 0 or split >= n:
                raise ValueError(f"validation_split {validation_split} leaves "
                                 f"no examples on one side of {n}")
            validation_data = (x[split:], y[split:])
            x, y = x[:split], y[:split]
        if isinstance(x, os.PathLike):
            x = os.fspath(x)
        if isinstance(validation_data, os.PathLike):
            validation_data = os.fspath(validation_data)
        _call(callbacks, "on_train_begin")
        result = self._core.fit(
            x, y, int(epochs or 0), int(batch_size or 0), validation_data,
            int(verbose), _epoch_callback(callbacks), _path(checkpoint),
            bool(resume), _path(history_csv), _path(logdir), int(log_every),
            _path(save_best), monitor, _path(output))
        _call(callbacks, "on_train_end")
        return History(result["history"],
                       {"epochs": result["epochs"], "steps": result["steps"],
                        "stopped_early": result["stopped_early"]})

    def evaluate(self, x=None, y=None, batch_size=None, return_dict=False):
        """Loss (and metrics) in inference mode, as Keras' evaluate():
        [loss, accuracy], the loss alone without metrics, or a dict with
        return_dict. x, y as for fit(); x may name a data file (its test
        split) or a pipeline."""
        if isinstance(x, os.PathLike):
            x = os.fspath(x)
        logs = self._core.evaluate(x, y, int(batch_size or 512))
        if return_dict:
            return logs
        values = [logs[k] for k in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None):
        """The model's outputs for every example of x (an array, a data
        file's test split, or a pipeline's name), as one numpy array."""
        if isinstance(x, os.PathLike):
            x = os.fspath(x)
        return self._core.predict(x, int(batch_size or 512))

    def get_weights(self):
        """The parameters as numpy arrays (copies), in declaration order,
        as Keras' get_weights()."""
        return [array for _, array in self._core.weights()]

    @property
    def weights(self):
        """The parameters by name (copies): {"dense/kernel": array, ...}."""
        return dict(self._core.weights())

    def save_weights(self, path):
        """Writes the parameters as .safetensors, atomically (what
        `weir train -o` writes and `weights=` reads)."""
        self._core.save_weights(os.fspath(path))

    def search_space(self):
        """The file's search space, one dict per hyperparameter (name, kind,
        default, location; min, max, step, sampling or values)."""
        return self._core.search_space()

    def count_params(self):
        return self._core.trainable_count + self._core.non_trainable_count

    def summary(self, print_fn=None):
        """Prints Keras' model.summary() table (or hands it to print_fn)."""
        (print_fn or print)(self._core.summary_text())

    def summary_rows(self):
        """The summary as data: one dict per layer (name, type, output,
        trainable, non_trainable, inputs, location)."""
        return self._core.summary_rows()

    def __repr__(self):
        return f"<weir.Model {self.name}: {self.count_params():,} parameters>"
