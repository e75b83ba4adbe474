{{ staged_zk_punches(source('zk', 'zk_punches')) }}
