"""WeChat Official Account (公众号) server endpoint: signature check, XML messages, passive replies, safe mode."""
