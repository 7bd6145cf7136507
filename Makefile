# Weir: the two commands of the README, and the steps they are made of.
#   make demo   set up, build, and run the example job
#   make test   set up, build, and run every test; ends with one summary line
BUILD ?= build
LIT ?= /usr/lib/llvm-22/bin/lit
CMAKE_FLAGS ?= -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22

.PHONY: all demo test deps configure build docs clean

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

demo: build
	@for m in examples/mlp.mlir examples/cnn.mlir examples/resnet_block.mlir; do \
	  echo "=== weir compile $$m --print-ir-after-all"; \
	  $(BUILD)/bin/weir compile $$m --print-ir-after-all -o /dev/null || exit 1; \
	done

test: build
	@rm -f $(BUILD)/lit.xml $(BUILD)/ctest.xml
	-$(LIT) -sv --xunit-xml-output $(BUILD)/lit.xml $(BUILD)/test
	-cd $(BUILD) && ctest --output-on-failure --output-junit ctest.xml
	@python3 test/summarize.py $(BUILD)/lit.xml $(BUILD)/ctest.xml

clean:
	rm -rf $(BUILD)
