file(REMOVE_RECURSE
  "CMakeFiles/vid_core_tests.dir/test/core/generator_test.cpp.o"
  "CMakeFiles/vid_core_tests.dir/test/core/generator_test.cpp.o.d"
  "CMakeFiles/vid_core_tests.dir/test/core/rules_test.cpp.o"
  "CMakeFiles/vid_core_tests.dir/test/core/rules_test.cpp.o.d"
  "CMakeFiles/vid_core_tests.dir/test/core/verhoeff_test.cpp.o"
  "CMakeFiles/vid_core_tests.dir/test/core/verhoeff_test.cpp.o.d"
  "vid_core_tests"
  "vid_core_tests.pdb"
  "vid_core_tests[1]_tests.cmake"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/vid_core_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
