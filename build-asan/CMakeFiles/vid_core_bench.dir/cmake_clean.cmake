file(REMOVE_RECURSE
  "CMakeFiles/vid_core_bench.dir/test/bench/core_bench.cpp.o"
  "CMakeFiles/vid_core_bench.dir/test/bench/core_bench.cpp.o.d"
  "vid_core_bench"
  "vid_core_bench.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/vid_core_bench.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
