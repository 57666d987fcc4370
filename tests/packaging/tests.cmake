# Installs simdnn and builds a separate project against it (find_package + simdnn::simdnn).
add_test(NAME packaging.consumer_project
         COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}/consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-test
                 "-DCONSUMER_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
                 "-DCONSUMER_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
                 -P ${CMAKE_CURRENT_LIST_DIR}/run_consumer.cmake)
set_tests_properties(packaging.consumer_project PROPERTIES LABELS "packaging" TIMEOUT 300)

# No code compiled for one ISA can be linked in for another (see tools/check-isa-symbols.sh).
add_test(NAME packaging.isa_symbols
         COMMAND ${PROJECT_SOURCE_DIR}/tools/check-isa-symbols.sh $<TARGET_FILE:simdnn>)
set_tests_properties(packaging.isa_symbols PROPERTIES LABELS "packaging")

# The check must be able to fail: an archive whose avx2.cpp.o exports an untagged weak inline.
add_library(simdnn_isa_symbols_canary STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/canary/avx2.cpp)
add_test(NAME packaging.isa_symbols_canary_build
         COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target simdnn_isa_symbols_canary)
set_tests_properties(packaging.isa_symbols_canary_build PROPERTIES FIXTURES_SETUP isa_canary
                     LABELS "packaging")
add_test(NAME packaging.isa_symbols_canary
         COMMAND ${PROJECT_SOURCE_DIR}/tools/check-isa-symbols.sh
                 $<TARGET_FILE:simdnn_isa_symbols_canary>)
set_tests_properties(packaging.isa_symbols_canary PROPERTIES WILL_FAIL TRUE
                     FIXTURES_REQUIRED isa_canary LABELS "packaging")

# No silent contraction (tools/check-fp-contract): -ffp-contract=off reaches every compile command
# of the project, and a canary `a * b + c` built with the widest kernels' flags holds no fma. Its
# twin built with -ffp-contract=fast must hold one, so the object check can fail.
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  if(SIMDNN_ENABLE_AVX512)
    set(SIMDNN_CANARY_ISA avx512)
  else()
    set(SIMDNN_CANARY_ISA avx2)
  endif()
  add_library(simdnn_fp_contract_canary STATIC ${CMAKE_CURRENT_LIST_DIR}/canary/contract.cpp)
  add_library(simdnn_fp_contract_canary_fast STATIC ${CMAKE_CURRENT_LIST_DIR}/canary/contract.cpp)
  foreach(canary IN ITEMS simdnn_fp_contract_canary simdnn_fp_contract_canary_fast)
    target_compile_options(${canary} PRIVATE ${SIMDNN_ISA_FLAGS_${SIMDNN_CANARY_ISA}} -O2)
  endforeach()
  target_compile_options(simdnn_fp_contract_canary_fast PRIVATE -ffp-contract=fast)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME packaging.fp_contract_commands
           COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tools/check-fp-contract commands
                   ${PROJECT_BINARY_DIR}/compile_commands.json ${PROJECT_SOURCE_DIR}
                   simdnn_fp_contract_canary_fast.dir)
  add_test(NAME packaging.fp_contract_canary
           COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tools/check-fp-contract no-fma
                   $<TARGET_FILE:simdnn_fp_contract_canary>)
  add_test(NAME packaging.fp_contract_canary_detects
           COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tools/check-fp-contract has-fma
                   $<TARGET_FILE:simdnn_fp_contract_canary_fast>)
  set_tests_properties(packaging.fp_contract_canary packaging.fp_contract_canary_detects
                       PROPERTIES LABELS "packaging")
  if(NOT CMAKE_EXPORT_COMPILE_COMMANDS)
    set_tests_properties(packaging.fp_contract_commands PROPERTIES DISABLED TRUE)
  endif()
  set_tests_properties(packaging.fp_contract_commands PROPERTIES LABELS "packaging")
endif()
