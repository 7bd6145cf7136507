// A program that links a CUDA-compiled model and does nothing else: it must
// link against runtime/device alone and start on a machine without a GPU
// (the embedded kernels load lazily, on their first launch).
int main(void) { return 0; }
