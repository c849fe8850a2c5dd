"""知识产权维权助手: knowledge base, Chinese text helpers, web gateway and channels."""
