# Weir: the two commands of the README, and the steps they are made of.
#   make demo   set up, build, and run the example job
#   make test   set up, build, and run every test; ends with one summary line
BUILD ?= build
LIT ?= /usr/lib/llvm-22/bin/lit
CMAKE_FLAGS ?= -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22

.PHONY: all demo test test-asan deps configure build docs fuzz bench bench-peers clean

all: build

deps:
	@tools/scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: configure
	ninja -C $(BUILD)

docs: configure
	ninja -C $(BUILD) weir-doc

# The demo: Fashion-MNIST as PNG directories (written once from Debian's
# dataset-fashion-mnist, installed when missing), the CNN trained from them
# by the pipeline engine while the compiled step runs, then its test accuracy.
# (examples/fashion_cnn.weir reads data/fashion, relative to this directory.)
demo: build
	@tools/scripts/install-deps.sh dataset-fashion-mnist
	@test -d data/fashion/test || $(BUILD)/bin/weir data import-idx \
	  /usr/share/datasets/fashion-mnist data/fashion
	@echo "=== weir compile examples/fashion_cnn.weir --emit=pipeline (where each stage runs)"
	@$(BUILD)/bin/weir compile examples/fashion_cnn.weir --emit=pipeline | grep '^//'
	@echo "=== weir train examples/fashion_cnn.weir (from data/fashion/train, validated on data/fashion/test)"
	@$(BUILD)/bin/weir train examples/fashion_cnn.weir -o $(BUILD)/fashion_cnn.safetensors
	@echo "=== weir evaluate examples/fashion_cnn.weir (test accuracy)"
	@$(BUILD)/bin/weir evaluate examples/fashion_cnn.weir \
	  --weights $(BUILD)/fashion_cnn.safetensors

# The .weir parser under libFuzzer and AddressSanitizer for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz:
	@tools/scripts/install-deps.sh libclang-rt-22-dev
	tools/fuzz/run-fuzzer.sh $(FUZZ_SECONDS)

# Inference, training and input-pipeline throughput against PyTorch
# (installs it if needed).
bench: build
	@tools/scripts/install-deps.sh python3-torch python3-torchvision libopenblas0-openmp python3-numpy
	python3 bench/inference.py --weir $(BUILD)/bin/weir
	/usr/bin/python3 bench/train.py --weir $(BUILD)/bin/weir
	/usr/bin/python3 bench/pipeline.py --weir $(BUILD)/bin/weir
	/usr/bin/python3 bench/pipeline_train.py --weir $(BUILD)/bin/weir

# Training throughput against today's peers from PyPI (PyTorch 2 eager and
# torch.compile, Keras 3 on JAX and TensorFlow, JAX + optax), in a virtual
# environment that bench/peers-setup.sh creates (~5 GiB, first run only),
# then the CNN from its PNG tree against tf.data and a torch DataLoader.
PEERS_VENV ?= $(HOME)/.cache/weir-peers
bench-peers: build
	@tools/scripts/install-deps.sh dataset-fashion-mnist
	bash bench/peers-setup.sh $(PEERS_VENV) >/dev/null
	$(PEERS_VENV)/bin/python bench/peers.py --weir $(BUILD)/bin/weir --json $(BUILD)/peers.json
	$(PEERS_VENV)/bin/python bench/peers_png.py --weir $(BUILD)/bin/weir --json $(BUILD)/peers-png.json

test: build
	@rm -f $(BUILD)/lit.xml $(BUILD)/ctest.xml
	-$(LIT) -sv --xunit-xml-output $(BUILD)/lit.xml $(BUILD)/test
	-cd $(BUILD) && ctest --output-on-failure --output-junit ctest.xml
	@python3 test/summarize.py $(BUILD)/lit.xml $(BUILD)/ctest.xml

# The compiler's pass tests again, with weir-opt built under AddressSanitizer:
# a use-after-free in a pass changes the generated code only now and then,
# which no output check catches reliably (one did, in weir-register-block).
# allow_user_poisoning=0: LLVM's BumpPtrAllocator, inlined into our
# instrumented code, poisons the rest of each new slab, and Debian's
# uninstrumented libMLIR then allocates from that slab without unpoisoning
# it, which ASan reports as a use-after-poison in MLIR's own uniquer (a
# false positive that comes and goes with the heap layout). Heap, stack
# and use-after-free checks stay on.
ASAN_BUILD ?= build-asan
test-asan: | deps
	@tools/scripts/install-deps.sh libclang-rt-22-dev
	cmake -G Ninja -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address -fno-omit-frame-pointer -O1" \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address > /dev/null
	ninja -C $(ASAN_BUILD) weir-opt
	ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0 PATH=/usr/lib/llvm-22/bin:$$PATH $(LIT) -sv $(ASAN_BUILD)/test/Passes

clean:
	rm -rf $(BUILD)
