
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/test/core/generator_test.cpp" "CMakeFiles/vid_core_tests.dir/test/core/generator_test.cpp.o" "gcc" "CMakeFiles/vid_core_tests.dir/test/core/generator_test.cpp.o.d"
  "/work/main/test/core/rules_test.cpp" "CMakeFiles/vid_core_tests.dir/test/core/rules_test.cpp.o" "gcc" "CMakeFiles/vid_core_tests.dir/test/core/rules_test.cpp.o.d"
  "/work/main/test/core/verhoeff_test.cpp" "CMakeFiles/vid_core_tests.dir/test/core/verhoeff_test.cpp.o" "gcc" "CMakeFiles/vid_core_tests.dir/test/core/verhoeff_test.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/CMakeFiles/vid_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
