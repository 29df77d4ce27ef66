module sealcheck/adapters/gothemis

go 1.26.1

require github.com/cossacklabs/themis/gothemis v0.15.0
