# Weir: the two commands of the README, and the steps they are made of.
#   make demo   set up, build, and run the example job
#   make test   set up, build, and run every test; ends with one summary line
BUILD ?= build
LIT ?= /usr/lib/llvm-22/bin/lit
CMAKE_FLAGS ?= -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22

.PHONY: all demo test deps configure build docs fuzz bench clean

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

# Until training lands, the demo shows the compiler: the IR of the CNN after
# every pass down to the LLVM dialect, then its compile time and inference
# throughput on random inputs.
demo: build
	@echo "=== weir compile examples/fashion_cnn.weir --emit=llvm --print-ir-after-all"
	@$(BUILD)/bin/weir compile examples/fashion_cnn.weir --emit=llvm \
	  --print-ir-after-all -o /dev/null
	@for m in fashion_mlp fashion_cnn resnet_block inception_block; do \
	  echo "=== weir bench examples/$$m.weir"; \
	  $(BUILD)/bin/weir bench examples/$$m.weir --batch 64 --seconds 1 || exit 1; \
	done

# The .weir parser under libFuzzer and AddressSanitizer for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz:
	@tools/scripts/install-deps.sh libclang-rt-22-dev
	frontend/fuzz/run-fuzzer.sh $(FUZZ_SECONDS)

# Inference and training throughput against PyTorch (installs it if needed).
bench: build
	@tools/scripts/install-deps.sh python3-torch libopenblas0-openmp python3-numpy
	python3 bench/inference.py --weir $(BUILD)/bin/weir
	/usr/bin/python3 bench/train.py --weir $(BUILD)/bin/weir

test: build
	@rm -f $(BUILD)/lit.xml $(BUILD)/ctest.xml
	-$(LIT) -sv --xunit-xml-output $(BUILD)/lit.xml $(BUILD)/test
	-cd $(BUILD) && ctest --output-on-failure --output-junit ctest.xml
	@python3 test/summarize.py $(BUILD)/lit.xml $(BUILD)/ctest.xml

clean:
	rm -rf $(BUILD)
