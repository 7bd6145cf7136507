"""The seed notebook's flow from Python (examples/python/tuner_flow.py):
a random search with executions per trial and early stopping, the best
epoch, retraining on training plus validation data, and an ensemble
averaged in numpy. Run on small synthetic 28x28 images, so that it needs
no data set; every number it reports is recomputed here."""
import importlib.util
import os
import unittest

import numpy as np

SOURCE = os.environ.get("WEIR_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
spec = importlib.util.spec_from_file_location(
    "tuner_flow", os.path.join(SOURCE, "examples", "python", "tuner_flow.py"))
flow = importlib.util.module_from_spec(spec)
spec.loader.exec_module(flow)


def images(n, seed):
    """Class k: a bright 6x6 square at one of 10 places, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n).astype(np.int32)
    x = rng.integers(0, 90, (n, 28, 28, 1)).astype(np.uint8)
    for i, k in enumerate(y):
        r, c = 2 + (k // 5) * 12, 1 + (k % 5) * 5
        x[i, r:r + 6, c:c + 4, 0] = 230
    return x, y


class NotebookFlowTest(unittest.TestCase):
    def test_search_retrain_ensemble(self):
        x, y = images(1200, 1)
        xv, yv = images(300, 2)
        xt, yt = images(300, 3)
        lines = []
        trials = flow.random_search(x, y, xv, yv, max_trials=3,
                                    executions_per_trial=2, epochs=3, seed=4,
                                    threads=2, log=lines.append)
        self.assertEqual(len(trials), 3)
        self.assertEqual(len(lines), 3)
        scores = [t["val_accuracy"] for t in trials]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for t in trials:
            self.assertIn(t["hp"]["dense.units"], [16, 32, 48, 64])
            self.assertIn(t["hp"]["optimizer"], ["adam", "rmsprop"])
            self.assertEqual(len(t["runs"]), 2)
            # The objective: the mean over executions of each run's best.
            self.assertAlmostEqual(
                t["val_accuracy"],
                np.mean([max(r["val_accuracy"]) for r in t["runs"]]))
            for r in t["runs"]:
                self.assertLessEqual(len(r["val_loss"]), 3)
        self.assertGreater(scores[0], 0.5)  # chance is 0.1
        # Distinct points (a search, not one point thrice).
        self.assertEqual(len({tuple(t["hp"].values()) for t in trials}), 3)
        # The point was compiled: the hidden layer has that many units.
        m = flow.build_model(trials[0]["hp"], 1, None, 0)
        self.assertEqual(m.weights["dense.kernel"].shape,
                         (784, trials[0]["hp"]["dense.units"]))

        models = []
        x_all, y_all = np.concatenate([x, xv]), np.concatenate([y, yv])
        for t in trials[:2]:
            epochs = flow.best_epoch(t["hp"], x, y, xv, yv, epochs=3, seed=4,
                                     threads=2)
            self.assertTrue(1 <= epochs <= 3)
            m = flow.retrain(t["hp"], int(epochs * 1.2), x_all, y_all, seed=4,
                             threads=2)
            models.append(m)
        probs = flow.ensemble(models, xt)
        members = [m.predict(xt) for m in models]
        np.testing.assert_allclose(probs, (members[0] + members[1]) / 2,
                                   rtol=1e-6)
        np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)
        accuracy = (probs.argmax(1) == yt).mean()
        self.assertGreater(accuracy, 0.5)
        for m in models:
            loss, acc = m.evaluate(xt, yt)
            p = m.predict(xt).astype(np.float64)
            self.assertAlmostEqual(acc, (p.argmax(1) == yt).mean())


if __name__ == "__main__":
    unittest.main()
