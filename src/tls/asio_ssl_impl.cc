// SPDX-License-Identifier: MIT
// The compiled bodies of Asio's ssl (BOOST_ASIO_SEPARATE_COMPILATION), for the https probes
// and the HTTP listener, here rather than in event/asio_impl.cc: their OpenSSL calls go
// through openssl_lazy.cc like ours.
#include <boost/asio/ssl/impl/src.hpp>
