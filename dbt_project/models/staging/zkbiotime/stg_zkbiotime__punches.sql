{{ staged_zk_punches(source('zkbiotime', 'zkbiotime_punches')) }}
