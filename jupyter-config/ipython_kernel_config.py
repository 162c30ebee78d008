# Installed by the forecast package into <prefix>/etc/ipython: kernels of this
# environment do not warn about unencrypted TCP on the loopback address
# (see forecast.notebooks.quiet).
try:
    from forecast.notebooks.quiet import quiet_loopback_tcp

    quiet_loopback_tcp()
except ImportError:  # the package is being uninstalled: nothing to quiet
    pass
