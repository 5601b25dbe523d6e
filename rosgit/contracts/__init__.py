"""Image contracts: what the program in each catalog image needs and offers, with provenance (issue 10)."""

from rosgit.contracts.loader import ContractSet, check_coverage, contracts_for, load_contract, load_contracts
from rosgit.contracts.model import ImageContract

__all__ = ["ContractSet", "ImageContract", "check_coverage", "contracts_for", "load_contract", "load_contracts"]
