/**
 * Parser for SentencePiece `tokenizer.model` files (a serialized
 * `sentencepiece.ModelProto`), reading only the fields the encoder needs.
 *
 * Field numbers (sentencepiece_model.proto):
 *   ModelProto:      1 pieces (repeated), 2 trainer_spec, 3 normalizer_spec
 *   SentencePiece:   1 piece, 2 score (float), 3 type (enum, default NORMAL)
 *   TrainerSpec:     3 model_type, 4 vocab_size, 24 treat_whitespace_as_suffix,
 *                    35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id
 *   NormalizerSpec:  1 name, 2 precompiled_charsmap, 3 add_dummy_prefix,
 *                    4 remove_extra_whitespaces, 5 escape_whitespaces
 */
import {
  protoBool,
  protoFloat,
  protoInt32,
  protoString,
  readProtoFields,
} from './protobuf-reader.js';

/** SentencePiece piece types. */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** TrainerSpec.model_type values. */
export const SentencePieceModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface SentencePiece {
  piece: string;
  score: number;
  type: PieceType;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  trainer: {
    modelType: number;
    byteFallback: boolean;
    treatWhitespaceAsSuffix: boolean;
    unkId: number;
    bosId: number;
    eosId: number;
    padId: number;
  };
  normalizer: {
    name: string;
    /** Size of the precompiled normalisation table; 0 means identity normalisation. */
    precompiledCharsmapBytes: number;
    addDummyPrefix: boolean;
    removeExtraWhitespaces: boolean;
    escapeWhitespaces: boolean;
  };
}

/** Parses a serialized ModelProto. `fileName` is used in errors. */
export function parseSentencePieceModel(
  bytes: Uint8Array,
  fileName = 'tokenizer.model',
): SentencePieceModel {
  const model: SentencePieceModel = {
    pieces: [],
    // Defaults as declared in the .proto file.
    trainer: {
      modelType: SentencePieceModelType.UNIGRAM,
      byteFallback: false,
      treatWhitespaceAsSuffix: false,
      unkId: 0,
      bosId: 1,
      eosId: 2,
      padId: -1,
    },
    normalizer: {
      name: '',
      precompiledCharsmapBytes: 0,
      addDummyPrefix: true,
      removeExtraWhitespaces: true,
      escapeWhitespaces: true,
    },
  };
  for (const f of readProtoFields(bytes, fileName)) {
    if (f.field === 1 && f.bytes)
      model.pieces.push(parsePiece(f.bytes, `${fileName}: piece #${model.pieces.length}`));
    else if (f.field === 2 && f.bytes)
      parseTrainer(f.bytes, `${fileName}: trainer_spec`, model.trainer);
    else if (f.field === 3 && f.bytes)
      parseNormalizer(f.bytes, `${fileName}: normalizer_spec`, model.normalizer);
  }
  if (model.pieces.length === 0)
    throw new Error(`${fileName}: no pieces — not a SentencePiece model?`);
  return model;
}

function parsePiece(bytes: Uint8Array, what: string): SentencePiece {
  const piece: SentencePiece = { piece: '', score: 0, type: PieceType.NORMAL };
  for (const f of readProtoFields(bytes, what)) {
    if (f.field === 1) piece.piece = protoString(f);
    else if (f.field === 2) piece.score = protoFloat(f);
    else if (f.field === 3) piece.type = protoInt32(f) as PieceType;
  }
  return piece;
}

function parseTrainer(bytes: Uint8Array, what: string, t: SentencePieceModel['trainer']): void {
  for (const f of readProtoFields(bytes, what)) {
    switch (f.field) {
      case 3:
        t.modelType = protoInt32(f);
        break;
      case 24:
        t.treatWhitespaceAsSuffix = protoBool(f);
        break;
      case 35:
        t.byteFallback = protoBool(f);
        break;
      case 40:
        t.unkId = protoInt32(f);
        break;
      case 41:
        t.bosId = protoInt32(f);
        break;
      case 42:
        t.eosId = protoInt32(f);
        break;
      case 43:
        t.padId = protoInt32(f);
        break;
    }
  }
}

function parseNormalizer(
  bytes: Uint8Array,
  what: string,
  n: SentencePieceModel['normalizer'],
): void {
  for (const f of readProtoFields(bytes, what)) {
    switch (f.field) {
      case 1:
        n.name = protoString(f);
        break;
      case 2:
        n.precompiledCharsmapBytes = f.bytes?.length ?? 0;
        break;
      case 3:
        n.addDummyPrefix = protoBool(f);
        break;
      case 4:
        n.removeExtraWhitespaces = protoBool(f);
        break;
      case 5:
        n.escapeWhitespaces = protoBool(f);
        break;
    }
  }
}
