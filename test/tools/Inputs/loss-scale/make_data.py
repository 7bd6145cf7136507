"""overflow.npz: N examples of ones with target 1000 (N from argv)."""
import sys

import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
x = np.ones((n, 4), np.float32)
y = np.full((n, 1), 1000.0, np.float32)
np.savez(out, x_train=x, y_train=y, x_test=x[:4], y_test=y[:4])
