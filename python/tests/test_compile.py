"""weir.compile and the summary from Python: the compiler's errors raised
with file:line:col, bad arrays refused with their shapes, and the summary's
parameter counts checked against the weights' sizes."""
import os
import unittest

import numpy as np

import weir

SOURCE = os.environ.get("WEIR_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))

TINY = """\
model m(x: f32[4]) {
  return dense(x, 2, activation: softmax)
}
train m {
  loss: sparse_categorical_crossentropy
  optimizer: adam(learning_rate: 1e-2)
  epochs: 1
  batch_size: 8
}
"""


class CompileTest(unittest.TestCase):
    def test_syntax_error_has_file_line_col(self):
        bad = TINY.replace("dense(x, 2,", "dense(x, 2,,")
        with self.assertRaises(weir.WeirError) as e:
            weir.compile(source=bad, name="tiny.weir")
        text = str(e.exception)
        self.assertRegex(text, r"^tiny\.weir:2:\d+: error: ")
        self.assertIn("dense(x, 2,,", text)  # the source line is shown

    def test_type_error_names_the_layer(self):
        bad = TINY.replace("optimizer: adam", "optimizer: adagrad")
        with self.assertRaises(weir.WeirError) as e:
            weir.compile(source=bad, name="m.weir")
        self.assertIn("m.weir:6:", str(e.exception))
        self.assertIn("unknown optimizer 'adagrad'", str(e.exception))

    def test_missing_file_names_the_path(self):
        with self.assertRaises(weir.WeirError) as e:
            weir.compile("/nonexistent/model.weir")
        self.assertIn("/nonexistent/model.weir", str(e.exception))

    def test_unknown_precision(self):
        with self.assertRaises(weir.WeirError) as e:
            weir.compile(source=TINY, precision="mixed_fp8")
        self.assertIn("unknown precision 'mixed_fp8'", str(e.exception))

    def test_compile_takes_one_of_path_and_source(self):
        with self.assertRaises(TypeError):
            weir.compile()
        with self.assertRaises(TypeError):
            weir.compile("a.weir", source=TINY)

    def test_bad_arrays(self):
        m = weir.compile(source=TINY)
        x = np.zeros((8, 4), np.float32)
        y = np.zeros(8, np.int32)
        with self.assertRaisesRegex(weir.WeirError, r"\[5\].*\[4\]|\[4\].*\[5\]"):
            m.fit(np.zeros((8, 5), np.float32), y, verbose=0)
        with self.assertRaisesRegex(ValueError, "different numbers of examples"):
            m.fit(x, y[:7], verbose=0)
        with self.assertRaisesRegex(TypeError, "dtype uint16"):
            m.fit(x.astype(np.uint16), y, verbose=0)
        with self.assertRaisesRegex(ValueError, "needs its targets"):
            m.fit(x, verbose=0)
        with self.assertRaisesRegex(weir.WeirError, "label"):
            m.fit(x, np.full(8, 7, np.int32), verbose=0)  # 2 classes
        with self.assertRaisesRegex(weir.WeirError, "/no/such.npz"):
            m.fit("/no/such.npz", verbose=0)
        with self.assertRaisesRegex(ValueError, "validation_data is"):
            m.fit(x, y, validation_data=(x, y, x), verbose=0)
        with self.assertRaisesRegex(ValueError, "y was given without x"):
            m.fit(None, y, verbose=0)
        with self.assertRaisesRegex(ValueError, "log_every needs a logdir"):
            m.fit(x, y, log_every=5, verbose=0)
        saving = weir.compile(source=TINY.replace(
            "batch_size: 8", "batch_size: 8\n  checkpoint: { monitor: loss }"))
        with self.assertRaisesRegex(weir.WeirError, "writes the weights file, "
                                    "and this run writes none"):
            saving.fit(x, y, verbose=0)
        # A model that failed a call still works.
        self.assertEqual(m.predict(x).shape, (8, 2))

    def test_summary_counts_match_the_weights(self):
        for example in ["fashion_mlp.weir", "fashion_cnn.weir"]:
            with self.subTest(example=example):
                m = weir.compile(os.path.join(SOURCE, "examples", example))
                counts = sum(w.size for w in m.get_weights())
                self.assertEqual(m.count_params(), counts)
                rows = m.summary_rows()
                self.assertEqual(sum(r["trainable"] + r["non_trainable"]
                                     for r in rows), counts)
                lines = []
                m.summary(print_fn=lines.append)
                self.assertIn(f"Total params: {counts:,}", lines[0])
        mlp = weir.compile(os.path.join(SOURCE, "examples", "fashion_mlp.weir"))
        rows = {r["name"]: r for r in mlp.summary_rows()}
        # 784 * 64 + 64 and 64 * 10 + 10, as Keras counts them.
        self.assertEqual(rows["dense"]["trainable"], 50240)
        self.assertEqual(rows["dense_1"]["trainable"], 650)
        self.assertEqual(rows["dense"]["type"], "Dense")
        self.assertEqual(rows["dense"]["output"], "(None, 64)")
        self.assertRegex(rows["dense"]["location"], r"fashion_mlp\.weir:\d+:\d+")


if __name__ == "__main__":
    unittest.main()


class SearchSpaceTest(unittest.TestCase):
    SPACE = TINY.replace("dense(x, 2,", "dense(x, choice(2, 3),").replace(
        "adam(learning_rate: 1e-2)",
        "adam(learning_rate: float(1e-3..1e-1, sampling: log))")

    def test_default_point_and_a_given_one(self):
        m = weir.compile(source=self.SPACE)
        self.assertEqual(m.weights["dense.kernel"].shape, (4, 2))
        names = [hp["name"] for hp in m.search_space()]
        self.assertEqual(names, ["dense.units", "optimizer.learning_rate"])
        lr = m.search_space()[1]
        self.assertEqual((lr["kind"], lr["min"], lr["max"], lr["sampling"]),
                         ("float", 0.001, 0.1, "log"))
        p = weir.compile(source=self.SPACE,
                         hyperparameters={"dense.units": 3,
                                          "optimizer.learning_rate": 0.0123})
        self.assertEqual(p.weights["dense.kernel"].shape, (4, 3))

    def test_a_name_not_in_the_space(self):
        with self.assertRaisesRegex(weir.WeirError,
                                    "no hyperparameter named 'dense.unit' "
                                    r"\(it has: dense.units, "
                                    r"optimizer.learning_rate\)"):
            weir.compile(source=self.SPACE, hyperparameters={"dense.unit": 3})

    def test_a_value_outside_the_space(self):
        with self.assertRaisesRegex(weir.WeirError,
                                    "value '5' of dense.units is not in its "
                                    "search space"):
            weir.compile(source=self.SPACE, hyperparameters={"dense.units": 5})
