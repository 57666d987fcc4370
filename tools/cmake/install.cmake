# Installs the headers, libsimdnn.a and a relocatable CMake package (simdnnConfig.cmake +
# version file) so that find_package(simdnn CONFIG) gives simdnn::simdnn. xsimd is not needed by
# consumers: it is a build-only dependency of the archive.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS simdnn EXPORT simdnnTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# onnx.hpp belongs to simdnn::onnx, which is not installed (yet): the core package ships without it.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/simdnn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN "onnx.hpp" EXCLUDE)
install(EXPORT simdnnTargets NAMESPACE simdnn:: FILE simdnnTargets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdnn)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/simdnnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/simdnnConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdnn)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/simdnnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/simdnnConfig.cmake ${PROJECT_BINARY_DIR}/simdnnConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdnn)
