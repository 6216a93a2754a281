"""What every feature's views share: errors, argument readers, security, templating, websockets."""
