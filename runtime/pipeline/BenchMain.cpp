// weir-pipeline-bench: `weir data bench` as a standalone program.
#include "runtime/pipeline/Bench.h"

int main(int argc, char **argv) {
  return weir::pipeline::runBench(
      std::vector<std::string>(argv + 1, argv + argc), "weir-pipeline-bench");
}
