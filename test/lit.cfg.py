# lit configuration of the weir test suite.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "weir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".weir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt",
                   "README.md", "unit", "Inputs", "reference.py",
                   "check_ops.py", "check_layering.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.weir_obj_root, "test")

llvm_config.use_default_substitutions()
config.substitutions.append(("%weir_src", config.weir_src_root))
config.substitutions.append(("%weir_lib", os.path.join(config.weir_obj_root, "lib")))
# "weir" is also a word in arguments (`-dialect=weir`): substitute it only
# where it stands as a command.
llvm_config.add_tool_substitutions(
    [ToolSubst("weir-opt", pre=r".-^/\<="), ToolSubst("weir", pre=r".-^/\<=")],
    [os.path.join(config.weir_obj_root, "bin")])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Tests that compare with numpy need it in the python that runs lit.
import subprocess
import sys
if subprocess.call([sys.executable, "-c", "import numpy"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("numpy")
# Tests that compare with PyTorch run where it is installed (apt
# python3-torch) and are reported UNSUPPORTED elsewhere.
if subprocess.call([sys.executable, "-c", "import torch"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("torch")
config.substitutions.append(("%python", sys.executable))
# Compiled code blocks its loops for the host's vector width, so bitwise
# results are recorded per kind of host.
try:
    with open("/proc/cpuinfo") as f:
        if " avx512f" in f.read():
            config.available_features.add("host-avx512")
except OSError:
    pass
config.substitutions.append(("%llvm_lib", os.path.join(
    os.path.dirname(config.llvm_tools_dir), "lib")))
# Tests that assemble generated PTX need CUDA's ptxas; UNSUPPORTED without.
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", "/usr/local/cuda/bin/ptxas"))
