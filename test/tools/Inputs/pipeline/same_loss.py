"""Checks that the last val_loss printed by `weir train` (on the test PNGs,
through the pipeline) equals the loss `weir evaluate` prints for the same
weights on the same images given as arrays: decoding, labels and batching
of the pipeline against the array reader, independently."""
import re
import sys

train = open(sys.argv[1]).read()
evaluate = open(sys.argv[2]).read()
val = float(re.findall(r"val_loss ([0-9.]+)", train)[-1])
loss = float(re.search(r"loss ([0-9.]+)", evaluate).group(1))
print("val_loss %.4f, evaluate loss %.4f" % (val, loss))
if abs(val - loss) > 6e-4 or val < 0.05:
    sys.exit("mismatch (or a loss too small to compare)")
