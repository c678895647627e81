
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/generator.cpp" "CMakeFiles/vid_core.dir/src/core/generator.cpp.o" "gcc" "CMakeFiles/vid_core.dir/src/core/generator.cpp.o.d"
  "/work/main/src/core/random.cpp" "CMakeFiles/vid_core.dir/src/core/random.cpp.o" "gcc" "CMakeFiles/vid_core.dir/src/core/random.cpp.o.d"
  "/work/main/src/core/rules.cpp" "CMakeFiles/vid_core.dir/src/core/rules.cpp.o" "gcc" "CMakeFiles/vid_core.dir/src/core/rules.cpp.o.d"
  "/work/main/src/core/verhoeff.cpp" "CMakeFiles/vid_core.dir/src/core/verhoeff.cpp.o" "gcc" "CMakeFiles/vid_core.dir/src/core/verhoeff.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
